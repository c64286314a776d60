import { resolveProcessorConfig, resumeHint } from '../config.js';
import type { ProcessorFlags } from '../config.js';
import type { CliContext } from '../context.js';
import { createCliProcessor } from '../create-processor.js';
import { CliError, ExitCode } from '../exit-code.js';
import { attachRenderer, displayPath, followJob } from '../follow-job.js';
import { formatCounts } from '../render/format.js';
import { createRenderer, renderModeFor } from '../render/renderer.js';
import { checkOut, writeZip } from '../zip-output.js';
import type { ZipTarget } from '../zip-output.js';
import { findJob } from './find-job.js';

export interface ResumeCommandFlags extends ProcessorFlags {
  out?: string;
  json?: boolean;
  withTranscripts?: boolean;
}

/**
 * `tubesum resume <id>`: continues a batch that was interrupted (Ctrl-C, a crash, a reboot).
 * Finished videos are kept; the others run; the ZIP is written at the end. A batch that
 * already ended just gets its ZIP written again.
 */
export async function resumeCommand(id: string, flags: ResumeCommandFlags, context: CliContext): Promise<ExitCode> {
  const config = resolveProcessorConfig(flags, context.env, context.cwd);
  await checkOut(flags.out, context.cwd);
  const target: ZipTarget = { out: flags.out, store: flags.store, withTranscripts: flags.withTranscripts };
  const renderer = createRenderer(renderModeFor(context, flags.json ?? false), context);
  if (config.summarizer.kind === 'extractive' && config.summarizer.notice) renderer.notice(config.summarizer.notice);
  const processor = await createCliProcessor(config, context.cwd);
  try {
    const job = await findJob(processor, id);
    if (job.status !== 'running') {
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
      const resumed = await processor.resume({ jobIds: [job.id] });
      if (!resumed.some((each) => each.id === job.id)) {
        throw new CliError(`Batch ${job.id} could not be resumed; check it with \`tubesum status ${job.id}\`.`, ExitCode.FAILED);
      }
      return await followJob({
        processor,
        jobId: job.id,
        renderer,
        context,
        target,
        resumeCommand: resumeHint(job.id, flags),
        latestProgress: events.latest,
      });
    } finally {
      events.detach();
    }
  } finally {
    renderer.close();
    await processor.close();
  }
}
