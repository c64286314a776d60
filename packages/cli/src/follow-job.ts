import { relative } from 'node:path';
import { ErrorCode, formatUsd } from '@tubesum/core';
import type { BatchEvents, BatchProcessor, JobSnapshot, Progress } from '@tubesum/core';
import type { CliContext } from './context.js';
import { LOCAL_USER_ID } from './config.js';
import { ExitCode } from './exit-code.js';
import { formatCounts, outcomeLabel, plural } from './render/format.js';
import type { BatchEventName, BatchEventOf, Renderer } from './render/types.js';
import { writeZip } from './zip-output.js';
import type { ZipTarget } from './zip-output.js';

const EVENT_NAMES: readonly BatchEventName[] = ['batchStart', 'batchProgress', 'batchPause', 'batchEnd', 'itemStart', 'itemStage', 'itemRetry', 'itemEnd'];

/**
 * Sends the processor's events to the renderer. Attach BEFORE `submit()` or `resume()`:
 * `batchStart` is emitted while they run. With `jobId` undefined every job's events pass
 * (`run` has only one); `setJobId` narrows it once the id is known.
 */
export function attachRenderer(processor: BatchProcessor, renderer: Renderer, jobId?: string) {
  let wanted = jobId;
  let latest: Progress | undefined;
  const listen = <K extends BatchEventName>(name: K) => {
    const listener = ((event: BatchEventOf<K>) => {
      if (wanted !== undefined && event.jobId !== wanted) return;
      latest = event.progress;
      renderer.event(name, event);
    }) as BatchEvents[K];
    // eventemitter3 cannot relate a generic event name to its listener type; the cast is local.
    processor.on(name, listener as never);
    return () => processor.off(name, listener as never);
  };
  const detachers = EVENT_NAMES.map((name) => listen(name));
  return {
    setJobId(id: string) {
      wanted = id;
    },
    /** Progress as of the last event seen. */
    latest: () => latest,
    detach() {
      for (const detach of detachers) detach();
    },
  };
}

/** `./tubesum-<id>.zip` shown relative to where the person is, when that is shorter. */
export function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}

export interface FollowJobOptions {
  processor: BatchProcessor;
  jobId: string;
  renderer: Renderer;
  context: CliContext;
  /** Where the ZIP goes (checked before the batch started) and what it holds. */
  target: ZipTarget;
  /** The command that continues the batch, shown after Ctrl-C. */
  resumeCommand: string;
  /** Progress as of the last event, for the Ctrl-C message. */
  latestProgress: () => Progress | undefined;
  /**
   * Runs once Ctrl-C is handled, before waiting: what to tell the person about the batch (a Ctrl-C
   * right after it must find the handler, not end the process with the default action).
   */
  onFollowing?: (() => void) | undefined;
}

/**
 * Waits for a running job, handling Ctrl-C: the first stops the work and keeps the batch
 * resumable (the processor closes; nothing is marked cancelled), the second exits at once.
 * At the end, writes the ZIP and returns the exit code.
 */
export async function followJob(options: FollowJobOptions): Promise<ExitCode> {
  const { processor, jobId, renderer, context } = options;
  let interrupts = 0;
  let onFirstInterrupt: () => void = () => {};
  const interrupted = new Promise<'interrupted'>((resolveInterrupt) => {
    onFirstInterrupt = () => resolveInterrupt('interrupted');
  });
  const stopListening = context.onInterrupt(() => {
    interrupts += 1;
    if (interrupts === 1) {
      renderer.notice('Stopping… finished videos are kept. Press Ctrl-C again to quit at once.');
      onFirstInterrupt();
      return;
    }
    renderer.close();
    context.stderr.write(`Quit. Resume later with: ${options.resumeCommand}\n`);
    context.exit(ExitCode.CANCELLED);
  });

  try {
    options.onFollowing?.();
    const outcome = await Promise.race([processor.waitFor(jobId, { userId: LOCAL_USER_ID }), interrupted]);
    if (outcome === 'interrupted') {
      await processor.close();
      const progress = options.latestProgress();
      const endedSoFar = progress ? `${progress.ended} of ${plural(progress.total, 'video')} finished. ` : '';
      renderer.close();
      renderer.result(`Interrupted. ${endedSoFar}Resume with: ${options.resumeCommand}`, {
        status: 'interrupted',
        jobId,
        ...(progress ? { counts: progress.counts, total: progress.total } : {}),
        resume: options.resumeCommand,
      });
      return ExitCode.CANCELLED;
    }
    // From here Ctrl-C stops the ZIP being written (writeZip listens), not the batch, which has ended.
    stopListening();
    return await finish(processor, outcome, options);
  } finally {
    stopListening();
  }
}

/** From this many videos on, writing the ZIP takes long enough to say so. */
export const WRITING_ZIP_NOTICE_FROM = 50;

/** Failures that mean YouTube refuses this machine, not that the video has a problem. */
const BLOCKED_CODES = new Set<string>([ErrorCode.REQUEST_BLOCKED, ErrorCode.TOO_MANY_REQUESTS]);

async function finish(processor: BatchProcessor, job: JobSnapshot, options: FollowJobOptions): Promise<ExitCode> {
  const { renderer, context } = options;
  if (job.status === 'paused') {
    renderer.close();
    const reason = job.pauseReason ? `${job.pauseReason.message} (${job.pauseReason.code})` : 'an unknown reason';
    renderer.result(`Paused: ${reason}. ${formatCounts(job.progress)}. Nothing was lost; fix the cause, then resume with: ${options.resumeCommand}`, {
      status: 'paused',
      jobId: job.id,
      total: job.total,
      counts: job.progress.counts,
      reason: job.pauseReason,
      resume: options.resumeCommand,
    });
    return ExitCode.PAUSED;
  }
  if (job.total >= WRITING_ZIP_NOTICE_FROM) renderer.notice(`Writing ZIP of ${plural(job.total, 'video')}…`);
  const path = await writeZip(processor, job.id, options.target, context);
  const counts = formatCounts(job.progress);
  renderer.close();
  const exitCode = job.status === 'cancelled' ? ExitCode.CANCELLED : job.progress.counts.failed > 0 ? ExitCode.FAILED : ExitCode.OK;
  // The cost in plain sight: the summaries' price, batch discount and prompt-cache rates applied.
  const cost = job.costUsd === undefined || job.costUsd <= 0 ? '' : `, cost ${formatUsd(job.costUsd)}`; // free summarizers say nothing
  renderer.result(`${outcomeLabel(job.status)}: ${counts}${cost}. ZIP written to ${displayPath(path, context.cwd)}`, {
    status: job.status,
    jobId: job.id,
    total: job.total,
    counts: job.progress.counts,
    ...(job.costUsd === undefined ? {} : { costUsd: job.costUsd }),
    rejected: job.rejected.length,
    duplicates: job.duplicates.length,
    zip: path,
  });
  if (job.progress.counts.failed > 0) {
    renderer.notice(
      `${plural(job.progress.counts.failed, 'video')} failed; the reasons are in index.md. See them with: ${context.invocation ?? 'tubesum'} status ${job.id}`,
    );
    const items = await processor.items(job.id, { userId: LOCAL_USER_ID });
    if (items.some((item) => item.error !== undefined && BLOCKED_CODES.has(item.error.code))) {
      renderer.notice(
        'YouTube refused requests from this machine. Run the failed videos again through a proxy (--proxy <url>, or TUBESUM_PROXY), or give their captions as files with --transcripts <dir>.',
      );
    }
  }
  return exitCode;
}
