// Deflating the files of an export beside the thread that reads the store and renders them.
//
// An export's time is mostly compression (zlib at level 6) and everything else (reading the store,
// rendering the Markdown, checking the entries), in about equal parts, all on one thread. A
// worker thread that takes each batch of rendered files (as strings) and hands back their
// deflated bytes lets the two halves run at once on two cores: the main thread renders batch n+1
// while the worker deflates batch n. Text goes in as strings, so encoding them to UTF-8 and their
// CRC-32 are the worker's work too.
//
// The worker is small on purpose: it is evaluated from the source below (no file to resolve, no
// module graph: node:zlib and node:worker_threads only), with a small young generation, and is
// never sent more than about 1 MB of text at once. Measured on a 2-core machine it adds about
// 25 MB of RSS to a process. Small exports deflate in the thread, as
// does every export when the worker cannot start or dies: the batch it held is deflated again
// in the thread, and the export goes on.
import { Worker } from 'node:worker_threads';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';

/** One file as the ZIP needs it: deflated bytes, and the size and CRC-32 of what was deflated. */
export interface DeflatedFile {
  data: Uint8Array<ArrayBuffer>;
  /** Bytes before compression (UTF-8). */
  size: number;
  crc: number;
}

/** Deflates batches of text files, in order. */
export interface FileDeflater {
  /**
   * Files worth sending at once: 1 in the thread (a batch buys nothing there, and the export then
   * reads no further ahead of its reader than one file), more for a worker (one message per file
   * would cost more than the deflating).
   */
  readonly batchFiles: number;
  /** The files of `texts`, encoded as UTF-8 and deflated at `level`, in the same order. */
  deflate(texts: readonly string[]): Promise<DeflatedFile[]>;
  /**
   * One piece of a file written in pieces (`index.md`, `batch.json`): `text` encoded as UTF-8 and
   * deflated into blocks ending with a sync flush, or with the final block when `final`, with the
   * size and CRC-32 of the piece's bytes. One piece after the other, in the order asked, they form
   * one DEFLATE stream; only back-references across pieces are lost.
   */
  deflatePiece(text: string, final: boolean): Promise<DeflatedFile>;
  /** Stops the worker, if any; pending batches reject. Safe to call more than once. */
  close(): void;
}

/**
 * Files from which an export deflates in a worker: below, starting a worker (about 30 ms and
 * 11 MB) costs more than it saves.
 */
export const WORKER_FROM_FILES = 1_000;

/** Files longer than this (characters) are deflated in the thread, never sent to the worker. */
export const WORKER_MAX_FILE_CHARS = 4 << 20;

/** A worker with no batch for this long is stopped (see {@link WorkerDeflater}). */
const IDLE_MS = 30_000;

const utf8 = new TextEncoder();

/**
 * The smallest zlib window (`windowBits`, 9 to 15) that holds all of `size` bytes: what zlib's
 * default window (15, 32 KB) would give for them, byte for byte. zlib reaches back at most the
 * window less 262 bytes, so a shorter input never meets the limit, and the hash tables depend on
 * `memLevel` only. A 3 KB summary then takes a 4 KB window instead of 32 KB: zlib allocates about
 * 140 KB less per file, and deflating 10,000 summaries took 0.31 s instead of 0.79 s (mostly the
 * system's time to map and clear that memory). A test checks the bytes are the same. The
 * worker's program (below) has its own copy.
 */
export function windowBitsFor(size: number): number {
  let bits = 9;
  while (bits < 15 && (1 << bits) - 262 < size) bits += 1;
  return bits;
}

/** A piece of a file written in pieces, deflated in the calling thread (see {@link FileDeflater.deflatePiece}). */
function deflatePieceSync(text: string, final: boolean, level: number): DeflatedFile {
  const bytes = utf8.encode(text);
  const data = deflateRawSync(bytes, {
    level,
    windowBits: windowBitsFor(bytes.byteLength),
    finishFlush: final ? zlibConstants.Z_FINISH : zlibConstants.Z_SYNC_FLUSH,
  });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), size: bytes.byteLength, crc: crc32(bytes) };
}

/** `bytes` deflated at `level` in the calling thread, with their size and CRC-32. */
export function deflateBytes(bytes: Uint8Array, level: number): DeflatedFile {
  const data = deflateRawSync(bytes, { level, windowBits: windowBitsFor(bytes.byteLength) });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), size: bytes.byteLength, crc: crc32(bytes) };
}

/** Deflates in the calling thread. */
export class InThreadDeflater implements FileDeflater {
  readonly batchFiles = 1;

  constructor(private readonly level: number) {}

  deflate(texts: readonly string[]): Promise<DeflatedFile[]> {
    return Promise.resolve(texts.map((text) => deflateBytes(utf8.encode(text), this.level)));
  }

  deflatePiece(text: string, final: boolean): Promise<DeflatedFile> {
    return Promise.resolve(deflatePieceSync(text, final, this.level));
  }

  close(): void {}
}

/**
 * The worker's program (CommonJS, evaluated): for each `{ id, texts, level }` it answers
 * `{ id, data, sizes, crcs, ends }`: every file's deflated bytes one after the other in `data`
 * (transferred, not copied), file i ending at `ends[i]`; for `{ id, piece, final, level }`,
 * `{ id, data, sizes: [size], crcs: [crc] }`: the piece (a string) deflated (see
 * {@link FileDeflater.deflatePiece}). Pieces go as text, not bytes: encoding them and their CRC-32
 * are the worker's work, and a string is copied faster than bytes are cloned.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { constants: zlibConstants, crc32, deflateRawSync } = require('node:zlib');
const utf8 = new TextEncoder();
const windowBitsFor = (size) => {
  let bits = 9;
  while (bits < 15 && (1 << bits) - 262 < size) bits += 1;
  return bits;
};
parentPort.on('message', ({ id, texts, piece, final, level }) => {
  try {
    if (piece !== undefined) {
      const bytes = utf8.encode(piece);
      const part = deflateRawSync(bytes, {
        level,
        windowBits: windowBitsFor(bytes.byteLength),
        finishFlush: final ? zlibConstants.Z_FINISH : zlibConstants.Z_SYNC_FLUSH,
      });
      const data = new Uint8Array(part);
      parentPort.postMessage({ id, data, sizes: [bytes.byteLength], crcs: [crc32(bytes)] }, [data.buffer]);
      return;
    }
    const parts = [];
    const sizes = new Array(texts.length);
    const crcs = new Array(texts.length);
    const ends = new Array(texts.length);
    let length = 0;
    for (let i = 0; i < texts.length; i += 1) {
      const bytes = utf8.encode(texts[i]);
      const part = deflateRawSync(bytes, { level, windowBits: windowBitsFor(bytes.byteLength) });
      parts.push(part);
      sizes[i] = bytes.byteLength;
      crcs[i] = crc32(bytes);
      length += part.byteLength;
      ends[i] = length;
    }
    const data = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      data.set(part, at);
      at += part.byteLength;
    }
    parentPort.postMessage({ id, data, sizes, crcs, ends }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface WorkerAnswer {
  id: number;
  data?: Uint8Array<ArrayBuffer>;
  sizes?: number[];
  crcs?: number[];
  ends?: number[];
  error?: string;
}

/** Work sent to the worker: how to read its answer, and how to do it in the thread instead. */
interface Pending {
  decode: (answer: WorkerAnswer) => unknown;
  fallback: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Deflates in one worker thread, batch after batch. If the worker fails (it could not start, it
 * threw, it exited), the work it held and all later work is done in the calling thread instead:
 * the export is slower, never wrong or stopped.
 */
export class WorkerDeflater implements FileDeflater {
  /**
   * 25 files a message: with 100, what the export holds (the batch being rendered, the one being
   * deflated, the one waiting to be written) lived long enough to fill V8's old generation. On
   * 10,000 summaries of 4.4 KB, 25 peaked at 201-211 MB of RSS on Node 22 against 227-233 MB
   * (about the same on Node 20), in the same time.
   */
  readonly batchFiles = 25;
  readonly #level: number;
  readonly #fallback: InThreadDeflater;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #nextId = 0;
  #closed = false;
  #idle: NodeJS.Timeout | undefined;

  /** `source`: the worker's program; tests hand in one that fails. @default WORKER_SOURCE */
  constructor(level: number, source = WORKER_SOURCE) {
    this.#level = level;
    this.#fallback = new InThreadDeflater(level);
    try {
      const worker = new Worker(source, {
        eval: true,
        // Batches are about 1 MB of text at most (see export-stream.ts): a small young generation
        // keeps the worker's memory low. The old generation keeps its default limit: on Node 20 a
        // worker that reaches a `maxOldGenerationSizeMb` while encoding text takes the whole
        // process down (seen in a test), not only itself.
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
        // A worker of its own: the parent's env and argv are not its business.
        env: {},
        argv: [],
      });
      // Never what keeps a process alive: an export that nobody reads any more must not hold it open.
      worker.unref();
      worker.on('message', (answer: WorkerAnswer) => this.#answer(answer));
      worker.on('error', () => this.#fail());
      worker.on('exit', () => this.#fail());
      this.#worker = worker;
    } catch {
      this.#worker = undefined;
    }
  }

  /** Whether the worker is (still) deflating: false once it failed and the thread took over. */
  get inWorker(): boolean {
    return this.#worker !== undefined;
  }

  deflate(texts: readonly string[]): Promise<DeflatedFile[]> {
    // A file of several MB (a very long transcript) is deflated here: the worker's memory stays small.
    if (texts.some((text) => text.length > WORKER_MAX_FILE_CHARS)) return this.#inThread(() => this.#fallback.deflate(texts));
    return this.#post({ texts, level: this.#level }, decodeFiles, () => this.#fallback.deflate(texts));
  }

  deflatePiece(text: string, final: boolean): Promise<DeflatedFile> {
    return this.#post({ piece: text, final, level: this.#level }, decodePiece, () => this.#fallback.deflatePiece(text, final));
  }

  #inThread<T>(run: () => Promise<T>): Promise<T> {
    return this.#closed ? Promise.reject(new Error('WorkerDeflater: closed')) : run();
  }

  /** Sends `message` to the worker (or, once it failed, does the work in the thread). */
  #post<T>(message: object, decode: (answer: WorkerAnswer) => T | undefined, fallback: () => Promise<T>): Promise<T> {
    const worker = this.#worker;
    if (worker === undefined) return this.#inThread(fallback);
    const id = this.#nextId++;
    clearTimeout(this.#idle);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { decode, fallback, resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idle);
    const worker = this.#worker;
    this.#worker = undefined;
    for (const { reject } of this.#pending.values()) reject(new Error('WorkerDeflater: closed'));
    this.#pending.clear();
    void worker?.terminate();
  }

  #answer(answer: WorkerAnswer): void {
    const work = this.#pending.get(answer.id);
    if (work === undefined) return;
    this.#pending.delete(answer.id);
    const value = answer.error === undefined ? work.decode(answer) : undefined;
    // Work the worker could not do (it should not happen) is done in the thread.
    if (value === undefined) work.fallback().then(work.resolve, work.reject);
    else work.resolve(value);
    if (this.#pending.size === 0) {
      // A stream dropped without cancel never calls close(): an idle worker goes, and work after a
      // long pause (a slow reader) is done in the thread.
      clearTimeout(this.#idle);
      this.#idle = setTimeout(() => this.#fail(), IDLE_MS);
      this.#idle.unref();
    }
  }

  /** The worker is gone: what it held, and everything after, is deflated in the thread. */
  #fail(): void {
    if (this.#worker === undefined) return;
    const worker = this.#worker;
    this.#worker = undefined;
    void worker.terminate();
    if (this.#closed) return;
    const held = [...this.#pending.values()];
    this.#pending.clear();
    for (const work of held) work.fallback().then(work.resolve, work.reject);
  }
}

function decodeFiles({ data, sizes, crcs, ends }: WorkerAnswer): DeflatedFile[] | undefined {
  if (data === undefined || sizes === undefined || crcs === undefined || ends === undefined) return undefined;
  const files: DeflatedFile[] = [];
  let start = 0;
  for (let index = 0; index < ends.length; index += 1) {
    const end = ends[index]!;
    files.push({ data: data.subarray(start, end), size: sizes[index]!, crc: crcs[index]! });
    start = end;
  }
  return files;
}

function decodePiece({ data, sizes, crcs }: WorkerAnswer): DeflatedFile | undefined {
  const size = sizes?.[0];
  const crc = crcs?.[0];
  if (data === undefined || size === undefined || crc === undefined) return undefined;
  return { data, size, crc };
}

/** The deflater for an export of `files` files: in a worker from {@link WORKER_FROM_FILES}, else in the thread. */
export function createFileDeflater(files: number, level: number): FileDeflater {
  return files >= WORKER_FROM_FILES ? new WorkerDeflater(level) : new InThreadDeflater(level);
}
