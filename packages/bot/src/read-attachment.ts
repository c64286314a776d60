import { ErrorCode, TubesumError } from '@tubesum/core';
import { formatBytes } from './zip-file.js';

/** The parts of a Discord attachment the bot looks at. */
export interface AttachmentInfo {
  name: string;
  url: string;
  size: number;
  contentType: string | null;
}

export interface ReadAttachmentOptions {
  /** Largest accepted file in bytes. */
  maxBytes: number;
  /** How long the download may take, in milliseconds. */
  timeoutMs: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  signal?: AbortSignal | undefined;
}

const TEXT_EXTENSIONS = /\.(txt|csv|text|list)$/i;

function refuse(message: string, cause?: unknown): TubesumError {
  return new TubesumError(ErrorCode.INVALID_OPTIONS, message, { cause });
}

/**
 * Downloads a `.txt` / `.csv` URL list attached to a command: refuses other files, files over
 * `maxBytes` (checked before and while downloading) and anything that is not UTF-8 text.
 * Throws a `TubesumError` whose message is meant for the user.
 */
export async function readTextAttachment(attachment: AttachmentInfo, options: ReadAttachmentOptions): Promise<string> {
  const type = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  const textType = type === undefined || type.startsWith('text/') || type === 'application/csv';
  if (!TEXT_EXTENSIONS.test(attachment.name) || !textType) {
    throw refuse(`\`${attachment.name.slice(0, 100)}\` is not a text file: attach a .txt or .csv file with one URL per line.`);
  }
  if (attachment.size > options.maxBytes) {
    throw refuse(`The file is ${formatBytes(attachment.size)}; the limit is ${formatBytes(options.maxBytes)}.`);
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let bytes: Uint8Array;
  try {
    const response = await (options.fetch ?? fetch)(attachment.url, { signal });
    if (!response.ok || !response.body) throw refuse(`Could not download the file (HTTP ${response.status}).`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      total += chunk.length;
      if (total > options.maxBytes) {
        await response.body.cancel().catch(() => {});
        throw refuse(`The file is larger than the ${formatBytes(options.maxBytes)} limit.`);
      }
      chunks.push(chunk);
    }
    bytes = Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof TubesumError) throw error;
    if (timeout.aborted) {
      const limit = options.timeoutMs < 1000 ? `${options.timeoutMs} ms` : `${Math.round(options.timeoutMs / 1000)} s`;
      throw refuse(`Downloading the file took longer than ${limit}; try again, or paste the URLs in \`urls\`.`, error);
    }
    throw refuse('Could not download the file.', error);
  }
  if (bytes.includes(0)) throw refuse('The file is not text (it contains binary data).');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw refuse('The file is not UTF-8 text.', error);
  }
}
