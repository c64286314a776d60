import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@tubesum/core';
import type { JobSnapshot } from '@tubesum/core';

const worker = fileURLToPath(new URL('./durable-worker.ts', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'tubesum-durable-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface Line {
  type: string;
  [key: string]: unknown;
}

/** Runs the worker; `until` decides, line by line, when to SIGKILL it. */
function runWorker(args: string[], until?: (lines: Line[]) => boolean): Promise<{ lines: Line[]; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        lines.push(JSON.parse(buffered.slice(0, newline)) as Line);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (until?.(lines) && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`worker exited ${code}: ${stderr}`));
      else resolve({ lines, signal, code });
    });
  });
}

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
    const calls = readFileSync(callLog, 'utf8').trim().split('\n');
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
