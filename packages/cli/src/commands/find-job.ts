import { ErrorCode, isTubesumError } from '@tubesum/core';
import type { BatchProcessor, JobSnapshot } from '@tubesum/core';
import { LOCAL_USER_ID } from '../config.js';
import { CliError } from '../exit-code.js';

/**
 * The batch named by `id`: its full id, or a unique prefix of at least 4 characters
 * (`tubesum status 3f2a`). Throws a {@link CliError} (exit 2) when there is none.
 */
export async function findJob(processor: BatchProcessor, id: string, invocation = 'tubesum'): Promise<JobSnapshot> {
  try {
    return await processor.get(id, { userId: LOCAL_USER_ID });
  } catch (error) {
    if (!isTubesumError(error, ErrorCode.NOT_FOUND)) throw error;
  }
  const matches = id.length >= 4 ? (await processor.list({ userId: LOCAL_USER_ID })).filter((job) => job.id.startsWith(id)) : [];
  const [only, ...others] = matches;
  if (only && others.length === 0) return only;
  if (only) throw new CliError(`${matches.length} batches start with ${JSON.stringify(id)}; give more of the id (see \`${invocation} list\`).`);
  throw new CliError(`No batch ${JSON.stringify(id)} in this store (see \`${invocation} list\`).`);
}
