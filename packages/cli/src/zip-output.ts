import { shellQuote } from './config.js';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, isTubesumError } from '@tubesum/core';
import type { BatchProcessor } from '@tubesum/core';
import { LOCAL_USER_ID } from './config.js';
import type { CliContext } from './context.js';
import { CliError, ExitCode } from './exit-code.js';
import { oneLine } from './render/format.js';

/** Where a ZIP goes and how to write it again: what `writeZip` needs besides the processor. */
export interface ZipTarget {
  /** `--out` as typed; `./tubesum-<jobId>.zip` when undefined. */
  out: string | undefined;
  /** `--store` as typed, repeated in the `tubesum export` hint. */
  store?: string | undefined;
  /** `--with-transcripts`. */
  withTranscripts?: boolean | undefined;
}

/** Why writing failed, in words (the error code stays out of the sentence). */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return oneLine(error instanceof Error ? error.message : String(error));
  }
}

/** `tubesum export <id> [--out …] [--store …] [--with-transcripts]`: how to write the ZIP again. */
export function exportHint(jobId: string, target: ZipTarget, invocation = 'tubesum'): string {
  const args = [invocation, 'export', jobId];
  if (target.out !== undefined) args.push('--out', shellQuote(target.out));
  if (target.store !== undefined) args.push('--store', shellQuote(target.store));
  if (target.withTranscripts === true) args.push('--with-transcripts');
  return args.join(' ');
}

/**
 * Checks, before any work, that the ZIP can be written where `--out` says: not a folder, and its
 * folder (or the nearest one that exists; the rest is created) takes a new file. Exit 2 otherwise.
 */
export async function checkOut(out: string | undefined, cwd: string): Promise<void> {
  const path = resolve(cwd, out ?? 'tubesum-check.zip');
  const shown = out ?? cwd;
  const fail = (why: string): never => {
    throw new CliError(
      out === undefined ? `Cannot write the ZIP in ${shown}: ${why}. Choose another place with --out <file>.` : `--out ${out}: ${why}.`,
      ExitCode.USAGE,
    );
  };
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true && out !== undefined) {
    fail(`is a folder; give the ZIP a file name, for example --out ${join(out, 'summaries.zip')}`);
  }
  let folder = dirname(path);
  for (;;) {
    const found = await stat(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : fail(reason(error))));
    if (found !== undefined) {
      if (!found.isDirectory()) fail(`${folder} is a file, not a folder`);
      break;
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  // Permissions do not tell it all (root, read-only mounts): create a file there and remove it.
  const probe = join(folder, `.tubesum-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await (await open(probe, 'wx')).close();
  } catch (error) {
    fail(`cannot create a file in ${folder} (${reason(error)})`);
  }
  await rm(probe, { force: true });
  if (existing !== undefined && !existing.isDirectory()) {
    try {
      await (await open(path, 'r+')).close();
    } catch (error) {
      fail(`cannot be overwritten (${reason(error)})`);
    }
  }
}

/**
 * Streams the job's ZIP into a partial file beside `out` (default `./tubesum-<jobId>.zip`) as it
 * is produced, then renames it into place; returns the absolute path. On a failure or Ctrl-C the
 * partial file is removed and an existing file at `out` is left as it was. Failures say that the
 * batch is saved and how to write its ZIP again.
 */
export async function writeZip(processor: BatchProcessor, jobId: string, target: ZipTarget, context: CliContext): Promise<string> {
  const path = resolve(context.cwd, target.out ?? `tubesum-${jobId}.zip`);
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  const controller = new AbortController();
  const stopListening = context.onInterrupt(() => controller.abort());
  try {
    await mkdir(dirname(path), { recursive: true });
    const stream = await processor.exportStream(jobId, {
      userId: LOCAL_USER_ID,
      signal: controller.signal,
      ...(target.withTranscripts === true ? { withTranscripts: true } : {}),
    });
    await pipeline(Readable.fromWeb(stream as NodeReadableStream<Uint8Array>), createWriteStream(partial, { flags: 'wx' }), {
      signal: controller.signal,
    });
    await rename(partial, path);
    return path;
  } catch (error) {
    await rm(partial, { force: true });
    if (controller.signal.aborted) {
      throw new CliError(
        `Interrupted while writing the ZIP; no file was written. The batch is saved: write its ZIP with: ${exportHint(jobId, target, context.invocation)}`,
        ExitCode.CANCELLED,
        {
          cause: error,
        },
      );
    }
    if (isTubesumError(error, ErrorCode.EXPORT_TOO_LARGE)) {
      const without = exportHint(jobId, { ...target, withTranscripts: false }, context.invocation);
      throw new CliError(`${oneLine(error.message)} [${error.code}] The batch is saved; write its ZIP without transcripts with: ${without}`, ExitCode.FAILED, {
        cause: error,
      });
    }
    const why = isTubesumError(error) ? `${oneLine(error.message)} [${error.code}]` : reason(error);
    throw new CliError(
      `Could not write the ZIP to ${path}: ${why}. The batch is saved; write its ZIP with: ${exportHint(jobId, target, context.invocation)}`,
      ExitCode.FAILED,
      { cause: error },
    );
  } finally {
    stopListening();
  }
}
