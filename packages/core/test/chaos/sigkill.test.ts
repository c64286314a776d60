// Chaos: the process running a batch is killed with SIGKILL at random moments, twice, on one
// SQLite file; a third process finishes the batch. Seeded: the run prints `chaos seed=<n>`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@tubesum/core';
import type { JobSnapshot } from '@tubesum/core';
import { runWorker } from '../processor/run-worker.js';
import { chaosSeed, seededRandom } from '../support/seeded-random.js';
import { readCallLog } from '@tubesum/test-support';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-chaos-kill-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('chaos: SIGKILL at random moments', () => {
  it('two kills, then a resume: every video done, none lost, only those in flight at a kill summarized twice', async () => {
    const random = seededRandom(chaosSeed('SIGKILL moments'));
    const database = join(directory, 'store.sqlite');
    const callLog = join(directory, 'calls.log');
    const count = 40;
    const killAfter = [1 + Math.floor(random() * 15), 1 + Math.floor(random() * 15)];
    const ends = (lines: { type: string }[]) => lines.filter((line) => line.type === 'itemEnd').length;

    const first = await runWorker(['start', database, callLog, String(count)], (lines) => ends(lines) >= (killAfter[0] as number));
    expect(first.signal).toBe('SIGKILL');
    const second = await runWorker(['resume', database, callLog], (lines) => ends(lines) >= (killAfter[1] as number));
    const third = await runWorker(['resume', database, callLog]);
    const ended = [second, third].flatMap((run) => run.lines).find((line) => line.type === 'ended')?.job as JobSnapshot;
    expect(ended.status).toBe('done');
    expect(ended.counts.done).toBe(count);

    const calls = readCallLog(callLog).map((call) => call.videoId);
    expect(new Set(calls).size).toBe(count);
    const kills = [first, second].filter((run) => run.signal === 'SIGKILL').length;
    // 2 summaries at once: at most 2 in flight at each kill.
    expect(calls.length).toBeLessThanOrEqual(count + 2 * kills);
    const announcedDone = [first, second, third].flatMap((run) => run.lines).filter((line) => line.type === 'itemEnd' && line.status === 'done');
    for (const line of announcedDone) expect(calls.filter((call) => call === line.videoId).length).toBeGreaterThanOrEqual(1);

    const store = createSqliteStore({ path: database });
    try {
      const items = await store.getItems(ended.id);
      expect(items.every((item) => item.status === 'done')).toBe(true);
      expect(await store.listUnfinishedJobIds()).toEqual([]);
    } finally {
      await store.close?.();
    }
  }, 90_000);
});
