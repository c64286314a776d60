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

    // Every video was paid for; a summary stored (announced done) is never paid for again, and only
    // a video in flight at a kill (its call running, or returned and not yet stored: how many
    // depends on the machine's load, not only on the 2 summaries at once) may be paid twice.
    const log = readCallLog(callLog).filter((call) => call.what === 'start');
    const calls = log.map((call) => call.videoId);
    expect(new Set(calls).size).toBe(count);
    const runs = [first, second, third];
    const doneBy = runs.map(
      (run) => new Set(run.lines.filter((line) => line.type === 'itemEnd' && line.status === 'done').map((line) => line.videoId as string)),
    );
    runs.forEach((run, at) => {
      const later = new Set(runs.slice(at + 1).map((each) => each.pid));
      for (const videoId of doneBy[at]!) expect(log.filter((call) => call.videoId === videoId && later.has(call.pid))).toEqual([]);
    });
    const killed = runs.filter((run) => run.signal === 'SIGKILL');
    expect(killed.length).toBeGreaterThanOrEqual(1);
    const inFlight = (run: (typeof runs)[number]) =>
      new Set(log.filter((call) => call.pid === run.pid && !doneBy[runs.indexOf(run)]!.has(call.videoId)).map((call) => call.videoId));
    const inFlightAtKills = killed.reduce((sum, run) => sum + inFlight(run).size, 0);
    for (const [at, call] of log.entries()) {
      // Every call but a video's last came from a killed run that had it in flight.
      if (calls.indexOf(call.videoId, at + 1) === -1) continue;
      expect(killed.some((run) => run.pid === call.pid && inFlight(run).has(call.videoId))).toBe(true);
    }
    expect(calls.length).toBeLessThanOrEqual(count + inFlightAtKills);

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
