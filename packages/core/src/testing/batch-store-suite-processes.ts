import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchStore } from '../storage/batch-store.js';
import { makeJob, stateOf, uniqueId, until } from './batch-store-fixtures.js';
import { StoreProcess } from './batch-store-processes.js';
import type { MultiProcessOptions } from './batch-store-processes.js';
import { leaseExpired } from './batch-store-suite-leases.js';

/** Child processes sharing the store: three race for leases, four create jobs at once. */
const PROCESSES = 4;

/** A moment shortly ahead, for every child to start the same operation at once. */
function soon(): number {
  return Date.now() + 300;
}

/** The conformance cases run from several child processes on one backend. */
export function describeProcessCases(getStore: () => BatchStore, options: MultiProcessOptions): void {
  describe(`across ${PROCESSES} processes`, () => {
    let processes: StoreProcess[] = [];

    beforeAll(async () => {
      const started = await Promise.allSettled(Array.from({ length: PROCESSES }, () => StoreProcess.start(options)));
      processes = started.flatMap((each) => (each.status === 'fulfilled' ? [each.value] : []));
      const failed = started.find((each): each is PromiseRejectedResult => each.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }, 120_000);

    afterAll(async () => {
      await Promise.all(processes.map((each) => each.stop()));
    });

    /** The `index`th child process. */
    const child = (index: number): StoreProcess => processes[index]!;

    it('gives a job that three processes claim at once exactly one owner', async () => {
      for (let round = 0; round < 5; round += 1) {
        const jobId = uniqueId('job');
        const at = soon();
        const results = await Promise.all([0, 1, 2].map((index) => child(index).call<boolean>('claimJob', [jobId, `owner-${index}`, 60_000], at)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await getStore().getJobLease(jobId))?.owner).toBe(`owner-${results.indexOf(true)}`);
      }
    });

    it('lets another process claim a lease once it expired', async () => {
      const jobId = uniqueId('job');
      expect(await child(0).call('claimJob', [jobId, 'owner-0', 300])).toBe(true);
      expect(await child(1).call('claimJob', [jobId, 'owner-1', 60_000])).toBe(false);
      await until(() => leaseExpired(getStore(), jobId), 'the lease expired');
      expect(await child(1).call('claimJob', [jobId, 'owner-1', 60_000])).toBe(true);
      expect(await child(0).call('renewJob', [jobId, 'owner-0', 60_000])).toBe(false);
      expect((await getStore().getJobLease(jobId))?.owner).toBe('owner-1');
    });

    it('refuses a renewal from, and ignores a release by, a process that does not own the lease', async () => {
      const jobId = uniqueId('job');
      expect(await child(0).call('claimJob', [jobId, 'owner-0', 60_000])).toBe(true);
      expect(await child(1).call('renewJob', [jobId, 'owner-1', 600_000])).toBe(false);
      await child(2).call('releaseJob', [jobId, 'owner-2']);
      const lease = await getStore().getJobLease(jobId);
      expect(lease?.owner).toBe('owner-0');
      expect(lease?.expiresInMs).toBeLessThanOrEqual(60_000);
      expect(await child(0).call('renewJob', [jobId, 'owner-0', 60_000])).toBe(true);
      await child(0).call('releaseJob', [jobId, 'owner-0']);
      expect(await getStore().getJobLease(jobId)).toBeUndefined();
    });

    it('keeps all 200 jobs that four processes create at once for one user, and the unfinished list exact', async () => {
      const userId = uniqueId('user');
      const perProcess = 50;
      const jobs = Array.from({ length: PROCESSES * perProcess }, () => makeJob({ userId, total: 2 }));
      const at = soon();
      await Promise.all(jobs.map(({ job, items }, index) => child(index % PROCESSES).call('createJob', [job, stateOf('running', job.total), items], at)));
      const ids = jobs.map(({ job }) => job.id);
      expect([...(await getStore().listJobIds(userId))].sort()).toEqual([...ids].sort());
      expect(await getStore().listUnfinishedJobIds()).toEqual(expect.arrayContaining(ids));

      // Half end, half save a running state again, all at once from every process.
      const later = soon();
      await Promise.all(
        jobs.map(({ job }, index) => child((index + 1) % PROCESSES).call('saveJobState', [job.id, stateOf(index % 2 === 0 ? 'done' : 'running', 2)], later)),
      );
      const unfinished = await getStore().listUnfinishedJobIds();
      for (const [index, id] of ids.entries()) {
        if (index % 2 === 0) expect(unfinished).not.toContain(id);
        else expect(unfinished.filter((each) => each === id)).toHaveLength(1);
      }
      await Promise.all(jobs.map(({ job }, index) => child(index % PROCESSES).call('saveJobState', [job.id, stateOf('cancelled', 2)])));
      const after = new Set(await getStore().listUnfinishedJobIds());
      expect(ids.filter((id) => after.has(id))).toEqual([]);
    });

    it('shows a cancel requested in one process to every other', async () => {
      const { job, items } = makeJob();
      await getStore().createJob(job, stateOf('running', job.total), items);
      expect(await child(2).call('isCancelRequested', [job.id])).toBe(false);
      await child(1).call('requestCancel', [job.id]);
      expect(await getStore().isCancelRequested(job.id)).toBe(true);
      expect(await child(2).call('isCancelRequested', [job.id])).toBe(true);
    });
  });
}
