import type { JobState } from './records.js';

/**
 * A job state as read from a store (or a snapshot handed to an export), in today's words: a state
 * stored as `done` with failed items, written before `failed` existed (when a job's `done` meant
 * "every item ended"), reads as `failed`. Every stored state goes through here before it becomes a
 * snapshot, an event or an export; the store itself is not rewritten.
 */
export function upgradeStoredJobState<State extends JobState>(state: State): State {
  return state.status === 'done' && state.counts.failed > 0 ? { ...state, status: 'failed' } : state;
}
