// Deflated pieces of a file written aside (`batch.json`, `index.md`: see zip-writer.ts), kept on
// disk instead of in memory. Both are placed in the ZIP after every summary, so an export holds
// them until its end: in memory that grew with the batch (batch.json is about 4.8 KB of text per
// summary, 2 KB deflated: 100 MB for 50,000 summaries). A temporary file keeps what an export
// holds the same whatever the number of videos.
import { rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, TubesumError } from '../errors.js';
import type { DeflatedFile } from './file-deflater.js';

/** Folders of spill files not removed yet: removed when the process exits, should an export be dropped unfinished. */
const live = new Set<string>();
let exitHook = false;

function watch(folder: string): void {
  live.add(folder);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const path of live) rmSync(path, { recursive: true, force: true });
  });
}

function scratchError(what: string, path: string, cause: unknown): TubesumError {
  return new TubesumError(
    ErrorCode.STORAGE_ERROR,
    `The export could not ${what} its scratch file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
    {
      cause,
    },
  );
}

/** A temporary file that deflated pieces are appended to, in order, and read back from once. */
export class SpillFile {
  /** Deflated bytes appended (written or on their way). */
  bytes = 0;
  /** Size and CRC-32 of each piece's bytes before deflating, in order: what the ZIP's CRC-32 is combined from. */
  readonly pieces: Array<{ size: number; crc: number }> = [];
  #folder: string | undefined;
  readonly #handle: Promise<FileHandle>;
  #chain: Promise<void>;
  #removed = false;

  constructor(
    /** The file's name in the ZIP, for messages. */
    private readonly name: string,
    directory = tmpdir(),
  ) {
    this.#handle = (async () => {
      const folder = await mkdtemp(join(directory, 'tubesum-export-')).catch((error: unknown) => {
        throw scratchError('create', join(directory, 'tubesum-export-…'), error);
      });
      this.#folder = folder;
      watch(folder);
      if (this.#removed) throw new Error(`SpillFile: ${this.name} was removed`);
      return open(join(folder, 'pieces'), 'w+');
    })();
    this.#chain = this.#handle.then(() => undefined);
    this.#handle.catch(() => undefined);
    this.#chain.catch(() => undefined);
  }

  /** Appends `piece` once it is deflated, after every piece appended before. */
  append(piece: Promise<DeflatedFile>): void {
    this.#chain = this.#chain.then(async () => {
      const { data, size, crc } = await piece;
      const handle = await this.#handle;
      try {
        await handle.write(data);
      } catch (error) {
        throw scratchError('write', this.#path(), error);
      }
      this.bytes += data.byteLength;
      this.pieces.push({ size, crc });
    });
    this.#chain.catch(() => undefined);
  }

  /** Resolves once every piece appended is on disk; rejects with the first failure. */
  async written(): Promise<void> {
    await this.#chain;
  }

  /** The deflated bytes, in order, `chunkBytes` at a time. */
  async *read(chunkBytes = 64 * 1024): AsyncGenerator<Uint8Array<ArrayBuffer>> {
    await this.written();
    const handle = await this.#handle;
    for (let position = 0; position < this.bytes;) {
      const chunk = new Uint8Array(Math.min(chunkBytes, this.bytes - position));
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, chunk.byteLength, position));
      } catch (error) {
        throw scratchError('read', this.#path(), error);
      }
      if (bytesRead === 0) throw scratchError('read', this.#path(), new Error(`it ended ${this.bytes - position} bytes early`));
      position += bytesRead;
      yield bytesRead === chunk.byteLength ? chunk : chunk.subarray(0, bytesRead);
    }
  }

  /** Closes and deletes the file. Safe to call more than once, and while pieces are still being written. */
  async remove(): Promise<void> {
    if (this.#removed) return;
    this.#removed = true;
    await this.#chain.catch(() => undefined);
    const handle = await this.#handle.catch(() => undefined);
    await handle?.close().catch(() => undefined);
    const folder = this.#folder;
    if (folder === undefined) return;
    live.delete(folder);
    await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }

  #path(): string {
    return this.#folder === undefined ? this.name : join(this.#folder, 'pieces');
  }
}
