import { isJobEnded } from '@tubesum/core';
import { resolveProcessorConfig, resumeHint } from '../config.js';
import type { ProcessorFlags } from '../config.js';
import type { CliContext } from '../context.js';
import { createCliProcessor } from '../create-processor.js';
import { CliError, ExitCode } from '../exit-code.js';
import { attachRenderer, displayPath, followJob } from '../follow-job.js';
import { formatCounts } from '../render/format.js';
import { createRenderer, renderModeFor } from '../render/create-renderer.js';
import { proxyNotice } from '@tubesum/proxy';
import { queueNotice, withQueue } from '../queue-config.js';
import type { QueueFlags } from '../queue-config.js';
import { checkOut, writeZip } from '../zip-output.js';
import type { ZipTarget } from '../zip-output.js';
import { findJob } from './find-job.js';

export interface ResumeCommandFlags extends ProcessorFlags, QueueFlags {
  out?: string;
  json?: boolean;
  withTranscripts?: boolean;
}

/**
 * `tubesum resume <id>`: continues a batch that was interrupted (Ctrl-C, a crash, a reboot) or
 * paused (a dead API key, YouTube unreachable or blocking, a store outage: once fixed).
 * Finished videos are kept; the others run; the ZIP is written at the end. A batch that
 * already ended just gets its ZIP written again.
 */
export async function resumeCommand(id: string, flags: ResumeCommandFlags, context: CliContext): Promise<ExitCode> {
  const config = withQueue(flags, context.env, (each) => resolveProcessorConfig(each, context.env, context.cwd));
  await checkOut(flags.out, context.cwd);
  const target: ZipTarget = { out: flags.out, store: flags.store, withTranscripts: flags.withTranscripts };
  const renderer = createRenderer(renderModeFor(context, flags.json ?? false), context);
  if (config.queue !== undefined) renderer.notice(queueNotice(config.queue));
  else if (config.summarizer.kind === 'extractive' && config.summarizer.notice) renderer.notice(config.summarizer.notice);
  if (config.transcripts.proxy !== undefined) renderer.notice(proxyNotice(config.transcripts.proxy));
  const cli = await createCliProcessor(config, context.cwd, context.fetch);
  const { processor } = cli;
  try {
    const invocation = context.invocation ?? 'tubesum';
    const job = await findJob(processor, id, invocation);
    if (isJobEnded(job.status)) {
      const path = await writeZip(processor, job.id, target, context);
      renderer.result(`Batch ${job.id} had already ended (${job.status}: ${formatCounts(job.progress)}). ZIP written to ${displayPath(path, context.cwd)}`, {
        status: job.status,
        jobId: job.id,
        total: job.total,
        counts: job.progress.counts,
        zip: path,
      });
      return job.status === 'cancelled' ? ExitCode.CANCELLED : job.progress.counts.failed > 0 ? ExitCode.FAILED : ExitCode.OK;
    }
    const events = attachRenderer(processor, renderer, job.id);
    try {
      // Only this batch: another process may be running the others of the same store.
      let resumed = await processor.resume({ jobIds: [job.id] });
      const lease = resumed.some((each) => each.id === job.id) ? undefined : await processor.store.getJobLease(job.id);
      if (lease !== undefined && lease.expiresInMs > 0) {
        // A process killed without a clean exit holds its lease until it expires.
        renderer.notice(
          `Batch ${job.id} is held by another tubesum process, or by one that stopped without a clean exit. Waiting ${Math.ceil(lease.expiresInMs / 1000)} s for its lease to expire…`,
        );
        await new Promise((resolve) => setTimeout(resolve, lease.expiresInMs + 250));
        resumed = await processor.resume({ jobIds: [job.id] });
      }
      if (!resumed.some((each) => each.id === job.id)) {
        throw new CliError(
          `Batch ${job.id} could not be resumed: another process is running it. Check it with \`${invocation} status ${job.id}\`.`,
          ExitCode.FAILED,
        );
      }
      return await followJob({
        processor,
        jobId: job.id,
        renderer,
        context,
        target,
        resumeCommand: resumeHint(job.id, flags, invocation),
        latestProgress: events.latest,
      });
    } finally {
      events.detach();
    }
  } finally {
    renderer.close();
    await cli.close();
  }
}
