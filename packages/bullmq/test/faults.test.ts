import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Relay, skipUnlessReachable } from '../../core/test/storage/services.js';
import { REDIS_URL, isolatedRedis, readCallLog, startSubmitter, startWorkers, videoUrls } from './support/cluster.js';

const skip = await skipUnlessReachable('Redis', REDIS_URL);
const redis = isolatedRedis('faults');

describe.skipIf(skip)('workers under faults', () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  async function submitter(...args: Parameters<typeof startSubmitter>) {
    const started = await startSubmitter(...args);
    cleanup.push(started.close);
    return started;
  }

  /** Resolves once `predicate` holds for the call log (checked every 20 ms). */
  async function untilLog(callLog: string, predicate: (lines: ReturnType<typeof readCallLog>) => boolean): Promise<void> {
    for (let tries = 0; tries < 1500 && !predicate(readCallLog(callLog)); tries += 1) await delay(20);
  }

  it('a worker killed with SIGKILL mid-batch: its videos finish on the others, only its calls in flight are paid twice', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.kill`;
    const workers = await startWorkers(3, { redis: REDIS_URL, store: REDIS_URL, ...names, transcriptMs: 5, summaryMs: 150, transcripts: 2, summaries: 3, callLog, lockDurationMs: 1000 });
    const { processor } = await submitter(names);
    const ended: number[] = [];
    processor.on('itemEnd', ({ item }) => ended.push(item.index));
    const job = await processor.submit({ userId: 'u', urls: videoUrls(60, 'k') });
    const victim = workers[0]!;
    const victimPid = String(victim.child.pid);
    await untilLog(callLog, (lines) => lines.filter((line) => line.pid === victimPid && line.what === 'start').length >= 4);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const atKill = readCallLog(callLog).filter((line) => line.pid === victimPid);
    const inFlight = new Set(atKill.filter((line) => line.what === 'start').map((line) => line.videoId));
    for (const line of atKill) if (line.what !== 'start') inFlight.delete(line.videoId);
    expect(inFlight.size).toBeGreaterThan(0);
    const done = await processor.waitFor(job.id, { userId: 'u' });
    expect(done.status).toBe('done');
    expect(done.counts.done).toBe(60);
    // Every item announced once.
    expect(ended.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, index) => index));
    const starts = readCallLog(callLog).filter((line) => line.what === 'start');
    const perVideo = new Map<string, number>();
    for (const line of starts) perVideo.set(line.videoId, (perVideo.get(line.videoId) ?? 0) + 1);
    expect(perVideo.size).toBe(60);
    const twice = [...perVideo].filter(([, count]) => count > 1).map(([videoId]) => videoId);
    for (const videoId of twice) expect(inFlight.has(videoId)).toBe(true);
    expect(starts.length).toBeLessThanOrEqual(60 + inFlight.size);
  }, 120_000);

  it('cancel() from the submitter: every worker aborts its calls, none starts after it resolved, the finished ones export', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.cancel`;
    const workers = await startWorkers(3, { redis: REDIS_URL, store: REDIS_URL, ...names, transcriptMs: 2, summaryMs: 400, transcripts: 2, summaries: 2, callLog });
    const { processor } = await submitter(names);
    const job = await processor.submit({ userId: 'u', urls: videoUrls(80, 'c') });
    const pids = workers.map((worker) => String(worker.child.pid));
    // Some summaries ended, and every worker has calls in flight.
    await untilLog(callLog, (lines) => lines.some((line) => line.what === 'end') && pids.every((pid) => lines.some((line) => line.pid === pid && line.what === 'start')));
    await delay(100);
    const cancelled = await processor.cancel(job.id, { userId: 'u' });
    const resolvedAt = Date.now();
    expect(cancelled.status).toBe('cancelled');
    await delay(1000);
    const lines = readCallLog(callLog);
    expect(lines.filter((line) => line.what === 'start' && line.at > resolvedAt)).toEqual([]);
    // Each call started ended or was aborted, on every worker.
    const open = new Map<string, string>();
    for (const line of lines) {
      if (line.what === 'start') open.set(`${line.pid} ${line.videoId}`, line.what);
      else open.delete(`${line.pid} ${line.videoId}`);
    }
    expect([...open.keys()]).toEqual([]);
    const aborts = lines.filter((line) => line.what === 'abort');
    expect(new Set(aborts.map((line) => line.pid)).size).toBe(3);
    expect(aborts.every((line) => line.at <= resolvedAt)).toBe(true);
    const items = await processor.items(job.id, { userId: 'u' });
    expect(items.every((item) => item.status === 'done' || item.status === 'cancelled')).toBe(true);
    const doneCount = items.filter((item) => item.status === 'done').length;
    expect(doneCount).toBeGreaterThan(0);
    expect(doneCount).toBeLessThan(80);
    const zip = await processor.export(job.id, { userId: 'u' });
    expect(zip.byteLength).toBeGreaterThan(500);
  }, 120_000);

  it('a 3-video batch submitted beside a big one is served at once, not behind it', async () => {
    const names = redis.fresh();
    await startWorkers(3, { redis: REDIS_URL, store: REDIS_URL, ...names, transcriptMs: 2, summaryMs: 60, transcripts: 2, summaries: 2 });
    const { processor } = await submitter(names, { globalConcurrency: 6 });
    const big = await processor.submit({ userId: 'u', urls: videoUrls(400, 'b') });
    let bigDone = 0;
    processor.on('itemEnd', ({ jobId }) => {
      if (jobId === big.id) bigDone += 1;
    });
    while (bigDone < 20) await delay(20);
    const small = await processor.submit({ userId: 'u', urls: videoUrls(3, 's') });
    const doneAtSubmit = bigDone;
    expect((await processor.waitFor(small.id, { userId: 'u' })).counts.done).toBe(3);
    // While the small batch ran, the big one advanced by a few rounds of the cluster (6 at once), not by its backlog.
    expect(bigDone - doneAtSubmit).toBeLessThan(60);
    await processor.cancel(big.id, { userId: 'u' });
  }, 120_000);

  it('a 2 s cut of Redis under workers and submitter: they reconnect, nothing is lost or announced twice', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.cut`;
    const relay = new Relay(6379);
    await relay.start();
    const through = `redis://127.0.0.1:${relay.port}`;
    // Everything through the relay: the queues, the pub/sub and the store of workers and submitter.
    await startWorkers(3, { redis: through, store: through, ...names, transcriptMs: 5, summaryMs: 80, transcripts: 2, summaries: 2, callLog, lockDurationMs: 2000 });
    const { processor } = await submitter(names, { connection: through, store: through });
    const ended: number[] = [];
    processor.on('itemEnd', ({ item }) => ended.push(item.index));
    const job = await processor.submit({ userId: 'u', urls: videoUrls(60, 'x') });
    while (ended.length < 10) await delay(20);
    await relay.cut();
    const endedAtCut = ended.length;
    await delay(2000);
    // The cut came mid-batch: most videos are still to do.
    expect(endedAtCut).toBeLessThan(40);
    await relay.start();
    const done = await processor.waitFor(job.id, { userId: 'u' });
    expect(done.counts.done).toBe(60);
    expect(ended.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, index) => index));
    const starts = readCallLog(callLog).filter((line) => line.what === 'start');
    expect(new Set(starts.map((line) => line.videoId)).size).toBe(60);
    await relay.cut();
  }, 120_000);
});
