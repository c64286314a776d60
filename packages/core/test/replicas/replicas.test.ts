// Replicas that share a store (issue "Replicas that share a store"): real child processes on one
// SQLite file, one Redis and one PostgreSQL database, a shared log of every summarizer call.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchProcessor, openStore } from '@tubesum/core';
import type { BatchStore, JobSnapshot } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { POSTGRES_URL, skipUnlessReachable, temporaryPostgresTable } from '../storage/services.js';
import type { ReplicaCommand } from './replica-worker.js';
import { startReplica, stopAllReplicas } from './replicas.js';
import { readCallLog } from '@tubesum/test-support';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-replicas-'));
afterAll(() => {
  stopAllReplicas();
  rmSync(directory, { recursive: true, force: true });
});

const REDIS_URL = 'redis://127.0.0.1:6379';
const skipRedis = await skipUnlessReachable('Redis', REDIS_URL);
const skipPostgres = await skipUnlessReachable('PostgreSQL', POSTGRES_URL);
const postgresTable = temporaryPostgresTable('tubesum_replicas', skipPostgres);

interface Backend {
  name: string;
  skip: boolean;
  /** Store URL and options for one test: a namespace (and file) of its own. */
  fresh(): { store: string; namespace: string; table?: string };
}

let counter = 0;
const unique = () => `r${Date.now().toString(36)}${(counter += 1)}${Math.floor(Math.random() * 1e6)}`;
const backends: Backend[] = [
  { name: 'one SQLite file', skip: false, fresh: () => ({ store: `sqlite://${join(directory, `${unique()}.sqlite`)}`, namespace: 'tubesum' }) },
  { name: 'Redis', skip: skipRedis, fresh: () => ({ store: REDIS_URL, namespace: unique() }) },
  { name: 'PostgreSQL', skip: skipPostgres, fresh: () => ({ store: POSTGRES_URL, namespace: unique(), table: postgresTable }) },
];

function command(target: ReturnType<Backend['fresh']>, mode: ReplicaCommand['mode'], extra: Partial<ReplicaCommand> = {}): ReplicaCommand {
  return { mode, ...target, callLog: join(directory, `${target.namespace}-${unique()}.log`), summaryMs: 100, leaseMs: 1000, ...extra };
}

async function openShared(target: ReturnType<Backend['fresh']>): Promise<BatchStore> {
  return openStore(target.store, { namespace: target.namespace, ...(target.table ? { table: target.table } : {}) });
}

/** A processor in this test process on the same store, running nothing of its own. */
function observer(store: BatchStore) {
  return new BatchProcessor({
    store,
    transcripts: new FakeTranscriptSource(),
    summarizer: new FakeSummarizer(),
    pollIntervalMs: 100,
    leaseMs: 1000,
  });
}

const user = { userId: 'replicas' };

for (const backend of backends) {
  describe.skipIf(backend.skip)(`replicas on ${backend.name}`, () => {
    it('a cancel from another process stops the owner within 2 s, and no summary starts after it resolved', async () => {
      const target = backend.fresh();
      const owner = startReplica(command(target, 'submit', { count: 60, summaryMs: 300 }));
      const { jobId } = (await owner.next((line) => line.type === 'submitted')) as unknown as { jobId: string };
      await owner.next((line) => line.type === 'itemEnd');
      const store = await openShared(target);
      const processor = observer(store);
      try {
        const started = performance.now();
        const cancelled = await processor.cancel(jobId, user);
        const tookMs = performance.now() - started;
        expect(tookMs).toBeLessThan(2000);
        expect(cancelled.status).toBe('cancelled');
        const callLog = (owner.child.spawnargs.at(-1) as string).match(/"callLog":"([^"]+)"/)?.[1] as string;
        const callsAtCancel = readCallLog(callLog).length;
        const ended = (await owner.next((line) => line.type === 'ended')).job as JobSnapshot;
        expect((await owner.exited).code).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(readCallLog(callLog).length).toBe(callsAtCancel);
        // Every process reads cancelled with the same counts.
        expect(ended.status).toBe('cancelled');
        expect(ended.counts).toEqual(cancelled.counts);
        expect((await processor.get(jobId, user)).counts).toEqual(cancelled.counts);
        expect(cancelled.counts.cancelled).toBeGreaterThan(0);
      } finally {
        await processor.close();
        await store.close?.();
      }
    }, 60_000);

    it('three processes calling resume() at the same moment run each video once', async () => {
      const target = backend.fresh();
      // An interrupted job: submitted, then its processor closed before any video ran.
      const store = await openShared(target);
      const first = new BatchProcessor({ store, transcripts: new FakeTranscriptSource({ latencyMs: 5000 }), summarizer: new FakeSummarizer(), leaseMs: 1000 });
      const urls = Array.from({ length: 30 }, (_, index) => `https://youtu.be/i${String(index).padStart(10, '0')}`);
      const job = await first.submit({ ...user, urls });
      await first.close();
      try {
        const base = command(target, 'resume', { summaryMs: 20 });
        const replicas = [0, 1, 2].map(() => startReplica(base));
        const outcomes = await Promise.all(replicas.map((replica) => replica.next((line) => line.type === 'resumed', 30_000)));
        await Promise.all(replicas.map((replica) => replica.exited));
        const resumedBy = outcomes.filter((line) => (line.jobIds as string[]).includes(job.id));
        expect(resumedBy).toHaveLength(1);
        const calls = readCallLog(base.callLog).map((call) => call.videoId);
        expect(calls).toHaveLength(30);
        expect(new Set(calls).size).toBe(30);
        expect((await store.getJobState(job.id))?.status).toBe('done');
      } finally {
        await store.close?.();
      }
    }, 90_000);

    it('an owner killed with SIGKILL is adopted by a live replica after its lease expires; every video summarized once but those in flight', async () => {
      const target = backend.fresh();
      // A 3 s lease: a loaded machine must not stall the owner past it before the kill.
      const shared = command(target, 'submit', { count: 60, summaryMs: 100, leaseMs: 3000 });
      const owner = startReplica(shared);
      const adopter = startReplica({ ...shared, mode: 'adopt' });
      await adopter.next((line) => line.type === 'adopting');
      const { jobId } = (await owner.next((line) => line.type === 'submitted')) as unknown as { jobId: string };
      await owner.next((line) => owner.lines.filter((each) => each.type === 'itemEnd').length >= 3 && line.type === 'itemEnd');
      owner.child.kill('SIGKILL');
      await owner.exited;
      const doneBeforeKill = owner.lines.filter((line) => line.type === 'itemEnd').map((line) => line.videoId as string);
      const start = await adopter.next((line) => line.type === 'batchStart' && line.jobId === jobId, 30_000);
      expect(start.resumed).toBe(true);
      const end = (await adopter.next((line) => line.type === 'batchEnd', 30_000)).job as JobSnapshot;
      adopter.child.kill('SIGTERM');
      await adopter.exited;
      expect(end.status).toBe('done');
      expect(end.counts.done).toBe(60);
      const log = readCallLog(shared.callLog);
      const calls = log.map((call) => call.videoId);
      expect(new Set(calls).size).toBe(60);
      for (const videoId of doneBeforeKill) expect(calls.filter((call) => call === videoId)).toHaveLength(1);
      // Only the videos in flight at the kill may have been paid twice: summarized by the owner (a
      // call running, or returned and not yet stored) but not ended. At most the owner's admission
      // (2 transcripts + 4 summaries + 8 prefetched) can be in flight; in practice 4 or 5.
      const ownerPid = String(owner.child.pid);
      const inFlight = new Set(log.filter((call) => call.pid === ownerPid && !doneBeforeKill.includes(call.videoId)).map((call) => call.videoId));
      const twice = [...new Set(calls.filter((videoId, index) => calls.indexOf(videoId) !== index))];
      for (const videoId of twice) expect(inFlight.has(videoId)).toBe(true);
      expect(inFlight.size).toBeLessThanOrEqual(2 + 4 + 8);
      expect(calls.length).toBe(60 + twice.length);
    }, 90_000);

    it('waitFor() resolves and events are followed in a process that does not own the job', async () => {
      const target = backend.fresh();
      // The owner summarizes nothing until the gate opens: on a loaded machine it could otherwise end
      // the job before this process follows it, and waitFor() would resolve at once, with no events.
      const gateFile = join(directory, `${unique()}.gate`);
      const owner = startReplica(command(target, 'submit', { count: 20, summaryMs: 60, gateFile }));
      const { jobId } = (await owner.next((line) => line.type === 'submitted')) as unknown as { jobId: string };
      const store = await openShared(target);
      const processor = observer(store);
      const itemEnds: number[] = [];
      const ends: string[] = [];
      processor.on('itemEnd', (event) => event.jobId === jobId && itemEnds.push(event.item.index));
      processor.on('batchEnd', (event) => event.jobId === jobId && ends.push(event.status));
      try {
        const stopFollowing = await processor.follow(jobId, user);
        const waited = processor.waitFor(jobId, user);
        writeFileSync(gateFile, '');
        const ended = await waited;
        stopFollowing();
        expect(ended.status).toBe('done');
        expect(ended.counts.done).toBe(20);
        expect(ends).toEqual(['done']);
        expect(itemEnds.length).toBeGreaterThan(0);
        expect(new Set(itemEnds).size).toBe(itemEnds.length);
        await owner.exited;
      } finally {
        await processor.close();
        await store.close?.();
      }
    }, 60_000);

    it('4 processes × 50 concurrent submits for one user: all 200 jobs are listed', async () => {
      const target = backend.fresh();
      // A 3 s lease: 200 jobs renewing theirs on one loaded SQLite file can miss a 1 s one.
      const base = command(target, 'submit-many', { submits: 50, summaryMs: 1, leaseMs: 3000 });
      const replicas = [0, 1, 2, 3].map(() => startReplica(base));
      const submitted = await Promise.all(replicas.map((replica) => replica.next((line) => line.type === 'submitted-many', 60_000)));
      const exits = await Promise.all(replicas.map((replica) => replica.exited));
      expect(
        exits.map((exit) => exit.code),
        exits.map((exit) => exit.stderr).join('\n'),
      ).toEqual([0, 0, 0, 0]);
      const ids = submitted.flatMap((line) => line.jobIds as string[]);
      expect(new Set(ids).size).toBe(200);
      const store = await openShared(target);
      try {
        const listed = await store.listJobIds('many');
        expect(listed).toHaveLength(200);
        expect(new Set(listed)).toEqual(new Set(ids));
        expect(await store.listUnfinishedJobIds()).toEqual([]);
      } finally {
        await store.close?.();
      }
    }, 120_000);
  });
}
