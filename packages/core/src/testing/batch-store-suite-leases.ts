import { describe, expect, it } from 'vitest';
import type { BatchStore } from '../storage/batch-store.js';
import { makeJob, stateOf, uniqueId, until } from './batch-store-fixtures.js';

/** Whether the lease of `jobId` has run out, as the store sees it (gone, or `expiresInMs <= 0`). */
export async function leaseExpired(store: BatchStore, jobId: string): Promise<boolean> {
  const lease = await store.getJobLease(jobId);
  return lease === undefined || lease.expiresInMs <= 0;
}

/** The lease and cancel cases of the conformance suite, within one process. */
export function describeLeaseCases(getStore: () => BatchStore): void {
  describe('leases and cancel requests', () => {
    it('says how far its coordination reaches', () => {
      expect(['atomic', 'process']).toContain(getStore().coordination);
    });

    it('claims a free lease; its owner may claim it again, another owner may not while it lasts', async () => {
      const store = getStore();
      const { job, items } = makeJob();
      await store.createJob(job, stateOf('running', job.total), items);
      expect(await store.getJobLease(job.id)).toBeUndefined();
      expect(await store.claimJob(job.id, 'owner-a', 60_000)).toBe(true);
      const lease = await store.getJobLease(job.id);
      expect(lease?.owner).toBe('owner-a');
      expect(lease?.expiresInMs).toBeGreaterThan(0);
      expect(lease?.expiresInMs).toBeLessThanOrEqual(60_000);
      expect(await store.claimJob(job.id, 'owner-b', 60_000)).toBe(false);
      expect((await store.getJobLease(job.id))?.owner).toBe('owner-a');
      // Claiming again extends the owner's lease to the new length.
      expect(await store.claimJob(job.id, 'owner-a', 600_000)).toBe(true);
      expect((await store.getJobLease(job.id))?.expiresInMs).toBeGreaterThan(60_000);
    });

    it('works on the lease alone, whether or not the job exists', async () => {
      const store = getStore();
      const missing = uniqueId('missing');
      expect(await store.claimJob(missing, 'owner-a', 60_000)).toBe(true);
      expect(await store.getJob(missing)).toBeUndefined();
      await store.releaseJob(missing, 'owner-a');
      expect(await store.getJobLease(missing)).toBeUndefined();
    });

    it('gives a lease claimed by many owners at once to exactly one', async () => {
      const store = getStore();
      const jobId = uniqueId('job');
      const owners = Array.from({ length: 10 }, (_, index) => `owner-${index}`);
      const results = await Promise.all(owners.map((owner) => store.claimJob(jobId, owner, 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getJobLease(jobId))?.owner).toBe(owners[results.indexOf(true)]);
    });

    it('renews the owner’s lease only; a renewal by another owner changes nothing', async () => {
      const store = getStore();
      const jobId = uniqueId('job');
      expect(await store.claimJob(jobId, 'owner-a', 30_000)).toBe(true);
      expect(await store.renewJob(jobId, 'owner-b', 600_000)).toBe(false);
      const unchanged = await store.getJobLease(jobId);
      expect(unchanged?.owner).toBe('owner-a');
      expect(unchanged?.expiresInMs).toBeLessThanOrEqual(30_000);
      expect(await store.renewJob(jobId, 'owner-a', 600_000)).toBe(true);
      expect((await store.getJobLease(jobId))?.expiresInMs).toBeGreaterThan(30_000);
      expect(await store.renewJob(uniqueId('never-claimed'), 'owner-a', 1000)).toBe(false);
    });

    it('lets another owner claim an expired lease; the old owner can then neither renew nor release it', async () => {
      const store = getStore();
      const jobId = uniqueId('job');
      expect(await store.claimJob(jobId, 'owner-a', 50)).toBe(true);
      await until(() => leaseExpired(store, jobId), 'the lease expired');
      // Expired is no longer held, even before anyone else claims it.
      expect(await store.renewJob(jobId, 'owner-a', 60_000)).toBe(false);
      expect(await store.claimJob(jobId, 'owner-b', 60_000)).toBe(true);
      expect(await store.renewJob(jobId, 'owner-a', 60_000)).toBe(false);
      await store.releaseJob(jobId, 'owner-a');
      expect((await store.getJobLease(jobId))?.owner).toBe('owner-b');
    });

    it('releases the owner’s lease only', async () => {
      const store = getStore();
      const jobId = uniqueId('job');
      expect(await store.claimJob(jobId, 'owner-a', 60_000)).toBe(true);
      await store.releaseJob(jobId, 'owner-b');
      expect((await store.getJobLease(jobId))?.owner).toBe('owner-a');
      await store.releaseJob(jobId, 'owner-a');
      expect(await store.getJobLease(jobId)).toBeUndefined();
      expect(await store.renewJob(jobId, 'owner-a', 60_000)).toBe(false);
      expect(await store.claimJob(jobId, 'owner-b', 60_000)).toBe(true);
      await store.releaseJob(uniqueId('never-claimed'), 'owner-a');
    });

    it('keeps the leases of jobs whose ids hold separators and colons apart', async () => {
      const store = getStore();
      const base = uniqueId('job');
      const ids = [base, `${base}:lease`, `:${base}`, `${base}/ü 🎉`];
      const owners = [':owner-colon', 'owner "quoted"', 'owner-ü', 'owner\\slash'];
      for (const [index, id] of ids.entries()) expect(await store.claimJob(id, owners[index]!, 60_000)).toBe(true);
      for (const [index, id] of ids.entries()) {
        expect((await store.getJobLease(id))?.owner).toBe(owners[index]);
        expect(await store.renewJob(id, owners[index]!, 60_000)).toBe(true);
      }
      await store.releaseJob(base, ':owner-colon');
      expect(await store.getJobLease(base)).toBeUndefined();
      expect((await store.getJobLease(`:${base}`))?.owner).toBe('owner-ü');
      expect((await store.getJobLease(`${base}:lease`))?.owner).toBe('owner "quoted"');
    });

    it('records a cancel request durably and idempotently, for that job only', async () => {
      const store = getStore();
      const { job, items } = makeJob();
      const other = makeJob();
      await store.createJob(job, stateOf('running', job.total), items);
      await store.createJob(other.job, stateOf('running', other.job.total), other.items);
      expect(await store.isCancelRequested(job.id)).toBe(false);
      await store.requestCancel(job.id);
      await store.requestCancel(job.id);
      expect(await store.isCancelRequested(job.id)).toBe(true);
      expect(await store.isCancelRequested(other.job.id)).toBe(false);
      expect(await store.getJobState(job.id)).toEqual(stateOf('running', job.total));
    });

    it('keeps list entries with colons exact', async () => {
      const store = getStore();
      const userId = uniqueId(':user');
      const jobs = [makeJob({ userId, id: uniqueId(':job') }), makeJob({ userId, id: uniqueId('::job') }), makeJob({ userId })];
      for (const { job, items } of jobs) await store.createJob(job, stateOf('running', job.total), items);
      expect(await store.listJobIds(userId)).toEqual(jobs.map(({ job }) => job.id));
      for (const { job } of jobs) expect(await store.listUnfinishedJobIds()).toContain(job.id);
      for (const { job } of jobs) await store.saveJobState(job.id, stateOf('done', job.total));
      const unfinished = await store.listUnfinishedJobIds();
      for (const { job } of jobs) expect(unfinished).not.toContain(job.id);
    });
  });
}
