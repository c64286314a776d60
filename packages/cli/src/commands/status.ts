import { LOCAL_USER_ID, resolveStoreUrl } from '../config.js';
import type { CliContext } from '../context.js';
import { createReadOnlyProcessor } from '../create-processor.js';
import { ExitCode } from '../exit-code.js';
import { formatCounts, formatDuration, oneLine } from '../render/format.js';
import { findJob } from './find-job.js';
import type { StoreFlags } from './list.js';

/** `tubesum status <id>`: a batch and each of its videos. */
export async function statusCommand(id: string, flags: StoreFlags, context: CliContext): Promise<ExitCode> {
  const processor = await createReadOnlyProcessor(resolveStoreUrl(flags.store, context.env.TUBESUM_STORE), context.cwd);
  try {
    const invocation = context.invocation ?? 'tubesum';
    const job = await findJob(processor, id, invocation);
    const items = await processor.items(job.id, { userId: LOCAL_USER_ID });
    if (flags.json) {
      context.stdout.write(`${JSON.stringify({ job, items })}\n`);
      return ExitCode.OK;
    }
    const lines = [
      `Batch ${job.id}${job.name ? ` "${oneLine(job.name)}"` : ''}`,
      `Created ${job.createdAt}, status ${job.status}: ${formatCounts(job.progress)} of ${job.total}`,
    ];
    if (job.startedAt && job.endedAt) {
      lines.push(`Took ${formatDuration(Date.parse(job.endedAt) - Date.parse(job.startedAt))}`);
    }
    if (job.status === 'paused') {
      const reason = job.pauseReason ? `${job.pauseReason.code}: ${oneLine(job.pauseReason.message)}` : 'unknown reason';
      lines.push(`Paused (${reason}). Nothing was lost; fix the cause, then continue it with: tubesum resume ${job.id}`);
    }
    if (job.status === 'running') {
      lines.push(`If no tubesum process is working on it any more, continue it with: ${invocation} resume ${job.id}`);
    }
    for (const item of items) {
      const error = item.error ? `  ${item.error.code}: ${oneLine(item.error.message)}` : '';
      const title = item.title ? `  ${oneLine(item.title)}` : '';
      lines.push(`  ${String(item.index + 1).padStart(3)}. ${item.status.padEnd(9)} ${item.videoId}${title}${error}`);
    }
    for (const rejected of job.rejected) lines.push(`       rejected  ${oneLine(rejected.input)}: ${oneLine(rejected.reason)}`);
    for (const duplicate of job.duplicates) lines.push(`       duplicate ${oneLine(duplicate.input)} (same video as ${duplicate.videoId})`);
    context.stdout.write(`${lines.join('\n')}\n`);
    return ExitCode.OK;
  } finally {
    await processor.close();
  }
}
