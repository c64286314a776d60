import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@tubesum/core';
import type { JobSnapshot } from '@tubesum/core';
import { runWorker } from './run-worker.js';
import { readCallLog } from '@tubesum/test-support';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-durable-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('durability', () => {
  it('a batch killed with SIGKILL resumes on the same SQLite file: nothing redone, lost or duplicated', async () => {
    const database = join(directory, 'store.sqlite');
    const callLog = join(directory, 'calls.log');
    const count = 30;

    const first = await runWorker(['start', database, callLog, String(count)], (lines) => lines.filter((line) => line.type === 'itemEnd').length >= 8);
    expect(first.signal).toBe('SIGKILL');
    const doneBeforeKill = first.lines.filter((line) => line.type === 'itemEnd' && line.status === 'done').map((line) => line.videoId as string);
    expect(doneBeforeKill.length).toBeGreaterThanOrEqual(8);
    expect(doneBeforeKill.length).toBeLessThan(count);

    const second = await runWorker(['resume', database, callLog]);
    const ended = second.lines.find((line) => line.type === 'ended')?.job as JobSnapshot;
    expect(ended.status).toBe('done');
    expect(ended.counts).toEqual({ pending: 0, running: 0, done: count, failed: 0, cancelled: 0 });
    const redone = second.lines.filter((line) => line.type === 'itemEnd').map((line) => line.videoId as string);
    expect(redone.some((videoId) => doneBeforeKill.includes(videoId))).toBe(false);

    // Every video was summarized; those announced as done before the kill exactly once.
    const calls = readCallLog(callLog).map((call) => call.videoId);
    for (const videoId of doneBeforeKill) expect(calls.filter((call) => call === videoId)).toHaveLength(1);
    expect(new Set(calls).size).toBe(count);
    // At most the summaries in flight at the kill (2 at once) ran twice.
    expect(calls.length).toBeLessThanOrEqual(count + 2);

    const store = createSqliteStore({ path: database });
    try {
      const items = await store.getItems(ended.id);
      expect(items.map((item) => item.index)).toEqual(Array.from({ length: count }, (_, index) => index));
      expect(items.every((item) => item.status === 'done' && item.summaryKey)).toBe(true);
      expect(await store.listUnfinishedJobIds()).toEqual([]);
    } finally {
      await store.close?.();
    }
  });
});
