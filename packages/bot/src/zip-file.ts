import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { BatchProcessor } from '@tubesum/core';
import type { RawFile } from 'discord.js';

const MAX_ZIP_PARTS = 10;

/** A batch's ZIP in a temporary file: the bot never holds it whole in memory. */
export interface ZipOnDisk {
  path: string;
  size: number;
  /** Removes the file (and its temporary folder). */
  dispose(): Promise<void>;
}

/** A byte range of the ZIP to upload as one file: the whole ZIP, or one part of it. */
export interface ZipPiece {
  name: string;
  offset: number;
  length: number;
  contentType: string;
}

/** `1.2 MB`, `340 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/**
 * Streams the job's ZIP into a file of its own temporary folder, as the store is read; the
 * folder is removed on failure. Call `dispose()` once it is sent.
 */
export async function writeZipToTempFile(
  processor: BatchProcessor,
  jobId: string,
  userId: string,
  options: {
    withTranscripts?: boolean | undefined;
    /** Where the temporary folder is made. @default os.tmpdir() */
    parent?: string | undefined;
  } = {},
): Promise<ZipOnDisk> {
  const directory = await mkdtemp(join(options.parent ?? tmpdir(), 'tubesum-bot-'));
  const dispose = () => rm(directory, { recursive: true, force: true });
  const path = join(directory, 'batch.zip');
  try {
    const stream = await processor.exportStream(jobId, { userId, ...(options.withTranscripts === true ? { withTranscripts: true } : {}) });
    await pipeline(Readable.fromWeb(stream as NodeReadableStream<Uint8Array>), createWriteStream(path, { flags: 'wx' }));
    const { size } = await stat(path);
    return { path, size, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Reads one piece of the ZIP file into the one buffer that is uploaded. */
export async function readPiece(path: string, piece: ZipPiece): Promise<RawFile> {
  const data = Buffer.allocUnsafe(piece.length);
  const file = await open(path, 'r');
  try {
    let read = 0;
    while (read < piece.length) {
      const { bytesRead } = await file.read(data, read, piece.length - read, piece.offset + read);
      if (bytesRead === 0) throw new Error(`The ZIP file ended at ${piece.offset + read} bytes, before the ${piece.length} of ${piece.name}.`);
      read += bytesRead;
    }
  } finally {
    await file.close();
  }
  return { name: piece.name, data, contentType: piece.contentType };
}

/**
 * How to send a ZIP of `size` bytes under an upload limit: attached as is, split into parts
 * (posted as separate messages), or not at all, with lines that tell the user what was sent.
 * Pieces are byte ranges of the file: each is read only when it is uploaded.
 */
export function planZipDelivery(size: number, fileName: string, limit: number): { attached: ZipPiece[]; parts: ZipPiece[]; lines: string[] } {
  const shown = formatBytes(size);
  if (size <= limit) {
    return {
      attached: [{ name: fileName, offset: 0, length: size, contentType: 'application/zip' }],
      parts: [],
      lines: [`📦 ZIP attached: \`${fileName}\` (${shown}).`],
    };
  }
  // A little room under the limit for multipart overhead, when the limit is large enough to spare it.
  const partSize = limit > 64 * 1024 ? limit - 1024 : limit;
  const count = Math.ceil(size / partSize);
  if (count > MAX_ZIP_PARTS) {
    return {
      attached: [],
      parts: [],
      lines: [`📦 The ZIP is ${shown}, too large to send here even in ${MAX_ZIP_PARTS} parts of ${formatBytes(limit)}; nothing was attached.`],
    };
  }
  const parts = Array.from({ length: count }, (_, index) => ({
    name: `${fileName}.${String(index + 1).padStart(3, '0')}`,
    offset: index * partSize,
    length: Math.min(partSize, size - index * partSize),
    contentType: 'application/octet-stream',
  }));
  return {
    attached: [],
    parts,
    lines: [
      `📦 The ZIP is ${shown}, larger than the ${formatBytes(limit)} upload limit here, so it is sent in ${parts.length} parts below.`,
      `Join them into \`${fileName}\`: \`cat ${fileName}.0* > ${fileName}\` (Windows: \`copy /b ${fileName}.001+${fileName}.002 ${fileName}\`).`,
    ],
  };
}
