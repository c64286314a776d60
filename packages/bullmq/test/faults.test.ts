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

  /** Summarizer calls started and not ended nor aborted, as `pid videoId`. */
  function openCalls(lines: ReturnType<typeof readCallLog>): string[] {
    const open = new Set<string>();
    for (const line of lines) {
      if (line.what === 'start') open.add(`${line.pid} ${line.videoId}`);
      else open.delete(`${line.pid} ${line.videoId}`);
    }
    return [...open];
  }

  /** Resolves once `predicate` holds for the call log (checked every 20 ms). */
  async function untilLog(callLog: string, predicate: (lines: ReturnType<typeof readCallLog>) => boolean): Promise<void> {
    for (let tries = 0; tries < 1500 && !predicate(readCallLog(callLog)); tries += 1) await delay(20);
  }

  it('a worker killed with SIGKILL mid-batch: its videos finish on the others, only its calls in flight are paid twice', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.kill`;
    const workers = await startWorkers(3, {
      redis: REDIS_URL,
      store: REDIS_URL,
      ...names,
      transcriptMs: 5,
      summaryMs: 150,
      transcripts: 2,
      summaries: 3,
      callLog,
      // Short enough that the killed worker's jobs come back soon, long enough that a live worker
      // stalled by a loaded machine keeps its locks: at 1 s, a CI run (three test files at once)
      // saw a live worker's job run again elsewhere, a second payment the test does not allow.
      lockDurationMs: 3000,
    });
    const { processor } = await submitter(names);
    const ended: number[] = [];
    const endedVideos = new Set<string>();
    processor.on('itemEnd', ({ item }) => {
      ended.push(item.index);
      endedVideos.add(item.videoId);
    });
    const job = await processor.submit({ userId: 'u', urls: videoUrls(60, 'k') });
    const victim = workers[0]!;
    const victimPid = String(victim.child.pid);
    await untilLog(callLog, (lines) => lines.filter((line) => line.pid === victimPid && line.what === 'start').length >= 4);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const atKill = readCallLog(callLog).filter((line) => line.pid === victimPid);
    const running = new Set(atKill.filter((line) => line.what === 'start').map((line) => line.videoId));
    for (const line of atKill) if (line.what !== 'start') running.delete(line.videoId);
    expect(running.size).toBeGreaterThan(0); // killed with calls running
    // In flight at the kill: the victim's videos not stored yet. A call that had returned but whose
    // summary was not yet written counts too (CI saw one paid again): the slot is freed first.
    // Videos ended here are stored; one stored just before the kill but not yet announced here only
    // makes this set larger, never hides a second payment of a stored summary.
    const inFlight = new Set(atKill.filter((line) => line.what === 'start' && !endedVideos.has(line.videoId)).map((line) => line.videoId));
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
    const calls = (videoId: string) => readCallLog(callLog).filter((line) => line.videoId === videoId);
    for (const videoId of twice) expect(inFlight.has(videoId), `${videoId} paid twice; victim ${victimPid}: ${JSON.stringify(calls(videoId))}`).toBe(true);
    expect(starts.length).toBeLessThanOrEqual(60 + inFlight.size);
  }, 120_000);

  it('cancel() from the submitter: every worker aborts its calls, none starts after it resolved, the finished ones export', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.cancel`;
    // The first videos are quick (some end before the cancel), the others long (surely in flight when it comes).
    const quick = Object.fromEntries(videoUrls(4, 'c').map((url) => [url.slice(-11), 20]));
    const workers = await startWorkers(3, {
      redis: REDIS_URL,
      store: REDIS_URL,
      ...names,
      transcriptMs: 2,
      summaryMs: 20_000,
      summaryMsByVideo: quick,
      transcripts: 2,
      summaries: 2,
      callLog,
    });
    const { processor } = await submitter(names);
    // A worker's `end` line comes before the submitter stores the item: the test waits for the stored
    // `done` (announced by itemEnd), or a cancel landing in between leaves no item done (seen in CI).
    let storedDone = 0;
    processor.on('itemEnd', ({ status }) => {
      if (status === 'done') storedDone += 1;
    });
    const job = await processor.submit({ userId: 'u', urls: videoUrls(80, 'c') });
    const pids = workers.map((worker) => String(worker.child.pid));
    // Some summaries ended and were stored, and every worker has a long call in flight (a quick one may end on its own before the cancel).
    const longCall = (call: string) => !(call.slice(call.indexOf(' ') + 1) in quick);
    await untilLog(callLog, (lines) => storedDone > 0 && pids.every((pid) => openCalls(lines).some((call) => call.startsWith(`${pid} `) && longCall(call))));
    const cancelled = await processor.cancel(job.id, { userId: 'u' });
    const resolvedAt = Date.now();
    expect(cancelled.status).toBe('cancelled');
    await delay(1000);
    const lines = readCallLog(callLog);
    expect(lines.filter((line) => line.what === 'start' && line.at > resolvedAt)).toEqual([]);
    // Each call started ended or was aborted, on every worker.
    expect(openCalls(lines)).toEqual([]);
    const aborts = lines.filter((line) => line.what === 'abort');
    expect(new Set(aborts.map((line) => line.pid)).size).toBe(3);
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
    await startWorkers(3, {
      redis: through,
      store: through,
      ...names,
      transcriptMs: 5,
      summaryMs: 80,
      transcripts: 2,
      summaries: 2,
      callLog,
      lockDurationMs: 2000,
    });
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

  it('a submitter that closes mid-batch: the workers abort its run, another submitter resumes the batch and finishes it', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.resume`;
    // One video's summary takes 4 s (the others 100 ms): once it started, it is surely still in
    // flight when the submitter closes, however loaded the machine (a fixed 300 ms, then 1 s, for
    // every call was not: a loaded CI run saw every call end before the close reached the workers).
    const slow = 'r0000000002';
    await startWorkers(3, {
      redis: REDIS_URL,
      store: REDIS_URL,
      ...names,
      transcriptMs: 2,
      summaryMs: 100,
      summaryMsByVideo: { [slow]: 4000 },
      transcripts: 2,
      summaries: 2,
      callLog,
    });
    const first = await startSubmitter(names);
    const job = await first.processor.submit({ userId: 'u', urls: videoUrls(30, 'r') });
    await untilLog(callLog, (lines) => lines.some((line) => line.what === 'start' && line.videoId === slow));
    await first.close();
    const second = await submitter(names);
    const ended: number[] = [];
    second.processor.on('itemEnd', ({ item }) => ended.push(item.index));
    expect((await second.processor.resume()).map((each) => each.id)).toEqual([job.id]);
    const done = await second.processor.waitFor(job.id, { userId: 'u' });
    expect(done.counts.done).toBe(30);
    expect(new Set(ended).size).toBe(ended.length);
    const lines = readCallLog(callLog);
    // The first run's calls in flight were aborted when it closed; a video is paid at most twice, and only then.
    const aborted = new Set(lines.filter((line) => line.what === 'abort').map((line) => line.videoId));
    expect(aborted).toContain(slow);
    const starts = new Map<string, number>();
    for (const line of lines) if (line.what === 'start') starts.set(line.videoId, (starts.get(line.videoId) ?? 0) + 1);
    expect(starts.size).toBe(30);
    for (const [videoId, count] of starts)
      if (count > 1) expect({ videoId, count, aborted: aborted.has(videoId) }).toEqual({ videoId, count: 2, aborted: true });
  }, 120_000);

  it('cancel() from a process that does not own the batch: the workers see the flag first, the items still end cancelled', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.remote-cancel`;
    const quick = Object.fromEntries(videoUrls(4, 'e').map((url) => [url.slice(-11), 20]));
    await startWorkers(3, {
      redis: REDIS_URL,
      store: REDIS_URL,
      ...names,
      transcriptMs: 2,
      summaryMs: 20_000,
      summaryMsByVideo: quick,
      transcripts: 2,
      summaries: 2,
      callLog,
    });
    // The owner looks for cancel requests only every 3 s: the workers (every second) see it first.
    const owner = await submitter(names, { pollIntervalMs: 3000 });
    const other = await submitter(names);
    const job = await owner.processor.submit({ userId: 'u', urls: videoUrls(40, 'e') });
    await untilLog(callLog, (lines) => lines.some((line) => line.what === 'end') && openCalls(lines).length >= 3);
    const cancelled = await other.processor.cancel(job.id, { userId: 'u' });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.counts.failed).toBe(0);
    expect(cancelled.counts.done + cancelled.counts.cancelled).toBe(40);
    const items = await owner.processor.items(job.id, { userId: 'u' });
    expect(items.filter((item) => item.status === 'failed')).toEqual([]);
    await delay(500);
    expect(openCalls(readCallLog(callLog))).toEqual([]);
  }, 120_000);
});
