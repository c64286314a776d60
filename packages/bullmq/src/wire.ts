import { ErrorCode, TubesumError } from '@tubesum/core';
import type { ItemProgress, ItemStage, JobOptions, SerializedError } from '@tubesum/core';
import { z } from 'zod';

/** Names and keys shared by submitters and workers: both sides must use the same prefix and queue name. */
export interface Names {
  readonly prefix: string;
  readonly queueName: string;
}

export const DEFAULT_NAMES: Names = { prefix: 'tubesum', queueName: 'tubesum' };

/** The BullMQ queue of a stage. */
export function queueOf(names: Names, stage: ItemStage): string {
  return `${names.queueName}-${stage === 'transcript' ? 'transcripts' : 'summaries'}`;
}

/** The pub/sub channel on which a stopped batch is announced to every worker. */
export function stopChannel(names: Names): string {
  return `${names.prefix}:${names.queueName}:stop`;
}

/** The Redis key of the lease on one summary cache key. */
export function summaryLeaseKey(names: Names, summaryKey: string): string {
  return `${names.prefix}:${names.queueName}:summary-lease:${summaryKey}`;
}

/**
 * A BullMQ job id: batch, video, stage (and the round, when a stage runs again) and this submitter's
 * run of the batch. BullMQ ids must not hold `:`; batch ids are UUIDs and video ids
 * `[A-Za-z0-9_-]`, so `.` separates them.
 */
export function jobIdOf(batchId: string, videoId: string, stage: ItemStage, run: string, round = 0): string {
  return `${batchId}.${videoId}.${stage === 'transcript' ? 't' : 's'}${round === 0 ? '' : round}.${run}`;
}

const languages = z.array(z.string()).optional();
const jobOptionsSchema = z
  .object({
    length: z.enum(['short', 'standard', 'detailed']).optional(),
    language: z.string().optional(),
    transcriptLanguages: languages,
    instructions: z.string().optional(),
  })
  .strip();

/** What a stage's BullMQ job carries. Parsed by the worker: Redis is outside input. */
export const stageDataSchema = z.object({
  batchId: z.string().min(1).max(200),
  userId: z.string(),
  options: jobOptionsSchema,
  index: z.number().int().min(0),
  videoId: z.string().regex(/^[A-Za-z0-9_-]{11}$/),
  url: z.string(),
  /** For the summary stage: where the transcript is cached. */
  transcriptKey: z.string().optional(),
});
export type StageData = z.infer<typeof stageDataSchema> & { options: JobOptions };

/** A retry a worker reports, as progress while it happens and again with the stage's outcome. */
const relayedRetrySchema = z.object({
  type: z.literal('retry'),
  stage: z.enum(['transcript', 'summary']),
  attempt: z.number().int(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).passthrough(),
  delayMs: z.number(),
});

/** What a stage's job returns: its key, and what the submitter needs to replay events it missed. */
export const stageResultSchema = z.object({
  key: z.string(),
  cached: z.boolean(),
  title: z.string().optional(),
  /** Attempts made (each reported by an `attempt` progress in the submitter). */
  attempts: z.number().int().min(0),
  /** Whether the stage's real work ran (an `itemStage` event). */
  entered: z.boolean(),
  /** The retries of the stage (each relayed as progress too; a progress event may be missed). */
  retries: z.array(relayedRetrySchema).max(100).optional(),
});
/** The parsed result, its retries typed as the progress they replay (the schema checks their shape, not each error code). */
export type StageResult = Omit<z.infer<typeof stageResultSchema>, 'retries'> & { retries?: RelayedRetry[] | undefined };

/** Progress relayed from a worker: only what becomes an event (attempts come with the result). */
export const relayedProgressSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stage'), stage: z.enum(['transcript', 'summary']) }),
  relayedRetrySchema,
]);
export type RelayedProgress = Extract<ItemProgress, { type: 'stage' | 'retry' }>;

const failureSchema = z.object({
  tubesum: z.literal(1),
  error: z.object({
    code: z.enum(Object.values(ErrorCode) as [string, ...string[]]),
    message: z.string(),
    retryable: z.boolean(),
    videoId: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  attempts: z.number().int().min(0),
  entered: z.boolean(),
  retries: z.array(relayedRetrySchema).max(100).optional(),
});

/** A failure as a BullMQ `failedReason`: JSON the submitter turns back into a TubesumError. */
export function encodeFailure(error: TubesumError, attempts: number, entered: boolean, retries: readonly RelayedRetry[] = []): string {
  return JSON.stringify({ tubesum: 1, error: error.toJSON(), attempts, entered, retries });
}

/** A retry as the worker reports it. */
export type RelayedRetry = Extract<ItemProgress, { type: 'retry' }>;

/** The TubesumError of a failed job, with the attempts and stage entry it reported. */
export function decodeFailure(
  failedReason: string | undefined,
  videoId: string,
): { error: TubesumError; attempts: number; entered: boolean; retries?: RelayedRetry[] } {
  let parsed: z.infer<typeof failureSchema> | undefined;
  try {
    const result = failureSchema.safeParse(JSON.parse(failedReason ?? ''));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    // BullMQ's own failure (a job that stalled too often, a worker without tubesum): worth another try later.
    const error = new TubesumError(ErrorCode.PROVIDER_ERROR, `A worker failed on ${videoId}: ${String(failedReason ?? 'no reason given').slice(0, 300)}`, {
      videoId,
      retryable: true,
    });
    return { error, attempts: 0, entered: false };
  }
  const serialized = parsed.error as SerializedError;
  const error = new TubesumError(serialized.code, serialized.message, {
    retryable: serialized.retryable,
    videoId: serialized.videoId ?? videoId,
    ...(serialized.details === undefined ? {} : { details: serialized.details }),
  });
  return { error, attempts: parsed.attempts, entered: parsed.entered, retries: (parsed.retries ?? []) as RelayedRetry[] };
}

/**
 * A stop announced to the workers. Without `run`, every run of the batch stops (a cancel is final);
 * with it, only that submitter's run: a batch paused, closed or lost there may already run again
 * elsewhere (a replica resumed it), under another run id.
 */
export const stopMessageSchema = z.object({
  batchId: z.string().min(1).max(200),
  run: z
    .string()
    .regex(/^[0-9a-f]{1,32}$/)
    .optional(),
  reason: z.enum(['cancel', 'pause', 'close', 'lost']),
});

export type StopMessage = z.infer<typeof stopMessageSchema>;

/** The run id in a job id made by {@link jobIdOf}. */
export function runOfJobId(jobId: string | undefined): string | undefined {
  return jobId?.split('.').at(-1);
}
