import type { CurrentItem, ItemCounts, ItemRecord, JobRecord, JobSnapshot, JobState, Progress } from '../records.js';

/**
 * The status of a job whose items all ended: `cancelled` when the run was cancelled, otherwise
 * `failed` when at least one item failed, `done` when none did.
 */
export function endedJobStatus(counts: ItemCounts, cancelled: boolean): 'done' | 'failed' | 'cancelled' {
  if (cancelled) return 'cancelled';
  return counts.failed > 0 ? 'failed' : 'done';
}

export function emptyCounts(): ItemCounts {
  return { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
}

export function countItems(items: readonly ItemRecord[]): ItemCounts {
  const counts = emptyCounts();
  for (const item of items) counts[item.status] += 1;
  return counts;
}

/** The sum of the done items' summary prices, or undefined when none is known. */
export function costOfItems(items: readonly ItemRecord[]): number | undefined {
  let total: number | undefined;
  for (const item of items) if (item.status === 'done' && item.costUsd !== undefined) total = (total ?? 0) + item.costUsd;
  return total;
}

/** What a progress snapshot is computed from: the counts, and how the run went so far. */
interface ProgressInput {
  total: number;
  counts: ItemCounts;
  elapsedMs: number;
  /** Items that ended in the measured time, for the ETA; 0 leaves the ETA unknown. */
  endedInElapsed: number;
  /** Whether the job still runs; an ended or paused job has nothing left to estimate. */
  running: boolean;
  current: CurrentItem[];
}

/** One progress calculation for live runs and stored jobs. */
export function progressOf(input: ProgressInput): Progress {
  const counts = { ...input.counts };
  const ended = counts.done + counts.failed + counts.cancelled;
  const remaining = input.total - ended;
  let etaMs: number | undefined;
  if (remaining === 0 || !input.running) etaMs = 0;
  else if (input.endedInElapsed > 0) etaMs = Math.round((input.elapsedMs / input.endedInElapsed) * remaining);
  return {
    total: input.total,
    counts,
    ended,
    finished: ended,
    percent: input.total === 0 ? 100 : Math.floor((ended / input.total) * 1000) / 10,
    elapsedMs: input.elapsedMs,
    etaMs,
    current: input.current,
  };
}

/**
 * A job read from the store, with the progress it shows to a process that does not run it. `state`
 * is in today's words already: `StoredJobs.load` and the follower upgrade what they read.
 */
export function storedSnapshot(job: JobRecord, state: JobState): JobSnapshot {
  const startedMs = state.startedAt ? Date.parse(state.startedAt) : Date.now();
  const endedMs = state.endedAt ? Date.parse(state.endedAt) : Date.now();
  const running = state.status === 'running';
  return {
    ...job,
    ...state,
    counts: { ...state.counts },
    progress: {
      ...progressOf({ total: job.total, counts: state.counts, elapsedMs: Math.max(0, endedMs - startedMs), endedInElapsed: 0, running, current: [] }),
      // A stored running job's ETA is unknown here: the owner knows its pace.
      etaMs: running ? undefined : 0,
    },
  };
}
