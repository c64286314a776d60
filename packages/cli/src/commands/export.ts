import { resolveStoreUrl } from '../config.js';
import type { CliContext } from '../context.js';
import { createReadOnlyProcessor } from '../create-processor.js';
import { ExitCode } from '../exit-code.js';
import { displayPath } from '../follow-job.js';
import { checkOut, writeZip } from '../zip-output.js';
import { findJob } from './find-job.js';
import type { StoreFlags } from './list.js';

export interface ExportCommandFlags extends StoreFlags {
  out?: string;
  withTranscripts?: boolean;
}

/** `tubesum export <id>`: writes the batch's ZIP again (finished or not). */
export async function exportCommand(id: string, flags: ExportCommandFlags, context: CliContext): Promise<ExitCode> {
  await checkOut(flags.out, context.cwd);
  const processor = await createReadOnlyProcessor(resolveStoreUrl(flags.store, context.env.TUBESUM_STORE), context.cwd);
  try {
    const job = await findJob(processor, id, context.invocation);
    const path = await writeZip(processor, job.id, { out: flags.out, store: flags.store, withTranscripts: flags.withTranscripts }, context);
    if (flags.json) context.stdout.write(`${JSON.stringify({ type: 'result', jobId: job.id, status: job.status, zip: path })}\n`);
    else context.stdout.write(`ZIP written to ${displayPath(path, context.cwd)}\n`);
    return ExitCode.OK;
  } finally {
    await processor.close();
  }
}
