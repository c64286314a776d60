import type { SerializedError } from './errors.js';
import type { DuplicateInput, InputNote, RejectedInput } from './intake/parse-url-list.js';
import type { ListExpansion } from './lists/expand-inputs.js';
import type { ProviderBatchWait, Summary, SummaryLength } from './summarizers/summarizer.js';

/**
 * Where a whole job stands; the same words as {@link ItemStatus} where they overlap:
 *
 * - `running`: its items are being worked on.
 * - `paused`: it stopped without ending (a dead API key, a store outage, a YouTube block that
 *   outlasted every pause); `resume()` continues it.
 * - `done`: every item ended and every one succeeded.
 * - `failed`: every item ended and at least one failed (`counts.failed` says how many; the others
 *   may be done): one failed video makes the job fail, as one failed step fails a CI run.
 * - `cancelled`: it was cancelled; items that had ended keep their status, the others are `cancelled`.
 *
 * `done`, `failed` and `cancelled` are final ({@link isJobEnded}): the job never runs again. A job
 * stored by tubesum before `failed` existed says `done` with `counts.failed > 0`; it reads as `failed`.
 */
export type JobStatus = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/** Statuses after which a job never runs again: `done`, `failed` and `cancelled`. */
export const ENDED_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['done', 'failed', 'cancelled']);

/**
 * Whether a job with this status has ended (`done`, `failed` or `cancelled`): it never runs again.
 * Test this rather than listing statuses by hand, so a status added later is not forgotten.
 */
export function isJobEnded(status: JobStatus): boolean {
  return ENDED_JOB_STATUSES.has(status);
}

/** Statuses of an item that ended: `done`, `failed` and `cancelled`. */
export const ENDED_ITEM_STATUSES: ReadonlySet<ItemStatus> = new Set(['done', 'failed', 'cancelled']);

/**
 * Where one video stands: `pending` (not started, or put back by a pause), `running`, `done` (it
 * succeeded: its summary is stored), `failed` (it ended with an error, `ItemRecord.error`) or
 * `cancelled` (the job was cancelled before it ended).
 */
export type ItemStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** Per-job choices that change what is produced. */
export interface JobOptions {
  /** @default 'standard' */
  length?: SummaryLength | undefined;
  /** Output language of the summaries; each transcript's own language when omitted. */
  language?: string | undefined;
  /** Transcript languages in order of preference; the transcript source's default when omitted. */
  transcriptLanguages?: string[] | undefined;
  /** Extra instructions for the summarizer. */
  instructions?: string | undefined;
}

/** The part of a job that never changes after submission. */
export interface JobRecord {
  /** Format version of this record. */
  version: 1;
  id: string;
  userId: string;
  name?: string;
  /** ISO 8601 time of submission. */
  createdAt: string;
  options: JobOptions;
  /** Number of items (accepted, distinct videos). */
  total: number;
  rejected: RejectedInput[];
  duplicates: DuplicateInput[];
  /** The playlists and channels of the input and what became of each; absent when there were none. */
  lists?: ListExpansion[];
  /** Notes on accepted inputs (a video link that also named a playlist); absent when there are none. */
  notes?: InputNote[];
}

/** Counts of items by status. */
export interface ItemCounts {
  pending: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** The part of a job that changes while it runs; small and constant in size. */
export interface JobState {
  status: JobStatus;
  counts: ItemCounts;
  /** ISO 8601 time the job first started running. */
  startedAt?: string;
  /** ISO 8601 time the job ended. */
  endedAt?: string;
  /** Why a `paused` job stopped; `resume()` continues it once the cause is fixed. */
  pauseReason?: SerializedError;
  /**
   * Items ended so far (a counter that only grows), and the indexes of the last ones to end, newest
   * last: how a process that does not own the job follows it from the store.
   */
  endedSeq?: number;
  recentlyEnded?: number[];
  /**
   * What the job's summaries cost in US dollars (the sum of their `costUsd`, batch discount and
   * prompt-cache rates applied); absent until a summary with a known price is done.
   */
  costUsd?: number;
}

/** One video of a job. */
export interface ItemRecord {
  jobId: string;
  /** Position in the batch, from 0. */
  index: number;
  videoId: string;
  /** Canonical `https://www.youtube.com/watch?v=ID`. */
  url: string;
  /** What the user typed for it (for a video of a playlist or channel, the list's link). */
  input: string;
  /** The list it came from (`ListExpansion.list`, e.g. `playlist PLxxxx`); absent for a video given by URL. */
  list?: string;
  status: ItemStatus;
  /** Attempts made so far, over every stage. */
  attempts: number;
  /** Attempts made so far per stage (absent in items stored before tubesum recorded it). */
  stageAttempts?: { transcript: number; summary: number };
  error?: SerializedError;
  /** Store key of the cached transcript, once fetched. */
  transcriptKey?: string;
  /** Store key of the cached summary, once written. */
  summaryKey?: string;
  /** The price of its summary in US dollars, when known (also for a summary taken from the cache: it was paid once). */
  costUsd?: number;
  title?: string;
  startedAt?: string;
  endedAt?: string;
}

/** A job as callers see it: the record, its state and a progress snapshot. */
export interface JobSnapshot extends JobRecord, JobState {
  progress: Progress;
}

/** Everything a progress bar needs. */
export interface Progress {
  total: number;
  counts: ItemCounts;
  /** Items that ended: `counts.done + counts.failed + counts.cancelled` (`done` is the successes alone). */
  ended: number;
  /**
   * The same number as {@link Progress.ended}, under its old name.
   *
   * @deprecated Use {@link Progress.ended}: the word the rest of the API uses for a final state.
   */
  finished: number;
  /** 0..100 */
  percent: number;
  /** Milliseconds since the job started running in this process. */
  elapsedMs: number;
  /** Estimated milliseconds left; undefined until something has ended. */
  etaMs: number | undefined;
  /** Items being worked on now. */
  current: CurrentItem[];
}

export interface CurrentItem {
  index: number;
  videoId: string;
  title?: string;
  stage: 'transcript' | 'summary';
  /** Set while the summary waits on a provider batch: in words: `describeProviderBatchWait`. */
  waiting?: ProviderBatchWait;
}

/** A summary as cached in the store and exported: the summary and what is known of the video. */
export interface SummaryRecord {
  /** Format version of this record. */
  version: 1;
  videoId: string;
  url: string;
  title?: string;
  channel?: string;
  durationSeconds?: number;
  /** Language of the transcript the summary was made from. */
  transcriptLanguage: string;
  isAutoGenerated: boolean;
  summary: Summary;
  /** ISO 8601 time the summary was made. */
  createdAt: string;
}
