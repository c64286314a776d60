import { LOCAL_USER_ID, resolveStoreUrl } from '../config.js';
import type { CliContext } from '../context.js';
import { createReadOnlyProcessor } from '../create-processor.js';
import { ExitCode } from '../exit-code.js';
import { formatJobLine } from '../render/format.js';

export interface StoreFlags {
  store?: string;
  json?: boolean;
}

/** `tubesum list`: the batches in the store, newest first. */
export async function listCommand(flags: StoreFlags, context: CliContext): Promise<ExitCode> {
  const processor = await createReadOnlyProcessor(resolveStoreUrl(flags.store, context.env.TUBESUM_STORE), context.cwd);
  try {
    const jobs = await processor.list({ userId: LOCAL_USER_ID });
    if (flags.json) {
      for (const job of jobs) context.stdout.write(`${JSON.stringify(job)}\n`);
    } else if (jobs.length === 0) {
      context.stdout.write(`No batches yet. Start one with: ${context.invocation ?? 'tubesum'} run <file or URLs...>\n`);
    } else {
      for (const job of jobs) context.stdout.write(`${formatJobLine(job)}\n`);
    }
    return ExitCode.OK;
  } finally {
    await processor.close();
  }
}
