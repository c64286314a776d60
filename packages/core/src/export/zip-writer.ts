// The ZIP writer of every export. fflate's streaming `Zip` lays out each file (local header,
// data, data descriptor) as bytes are asked for; this writer keeps the central directory itself:
// - a file given whole (a summary, a transcript) is deflated in one call by zlib (`node:zlib`
//   `deflateRawSync`, level 6: the algorithm and level JSZip's pako ported) with its CRC-32
//   (`zlib.crc32`), in this thread (`file`) or in a worker (`deflated`: see file-deflater.ts),
//   and handed to fflate's `Zip` as a file it need not compress;
// - a file written in pieces (`index.md`, `batch.json`: `aside`) has each piece of text (about
//   64 KB) encoded and deflated by zlib the same way, ending with a sync flush instead of a
//   finish, with its CRC-32 (by the writer's deflater, so maybe in the worker); the pieces' CRC-32s
//   are combined in order: fflate's own `ZipDeflate` took 0.6 s of a 6 s 10,000-video export (profiled).
// Why not `ZipDeflate` for every file: it sizes its state for 96 KB windows whatever the file
// (about 800 KB allocated per 3 KB summary), which made a 10,000-file export slower than JSZip.
// Measured on 10,002 files from memory (loaded machine): ZipDeflate per file 8.7 s, fflate's
// one-shot deflateSync 4.7 s, zlib 2.7 s; a whole export peaked at 297, 276 and 239 MB.
// Why one fflate `Zip` per file and our own central directory: a single `Zip` keeps its record
// of every file (the file object, its name, closures: about 1.1 KB each, 56 MB at 50,000 files)
// until `end()`. Here each file's `Zip` is garbage once the file is written, and what the
// directory needs is kept as its final bytes (46 + name bytes per entry) in 64 KB blocks.
import { Buffer } from 'node:buffer';
import { crc32 } from 'node:zlib';
import { Zip, ZipPassThrough } from 'fflate';
import type { AsyncFlateStreamHandler, ZipInputFile } from 'fflate';
import { ErrorCode, TubesumError } from '../errors.js';
import { InThreadDeflater, deflateBytes } from './file-deflater.js';
import type { DeflatedFile, FileDeflater } from './file-deflater.js';
import { SpillFile } from './spill-file.js';

/**
 * Entries a ZIP holds without ZIP64, which fflate does not write (nor did JSZip): the count
 * fields of the central directory are 16-bit. Exports check it before writing a byte.
 */
export const ZIP_MAX_ENTRIES = 65_535;

/** Bytes a ZIP holds without ZIP64: its offsets and sizes are 32-bit. */
export const ZIP_MAX_BYTES = 0xffff_ffff;

/** DEFLATE level of every file: zlib's default, the level JSZip (pako) was given before. */
export const ZIP_COMPRESSION_LEVEL = 6;

/** MS-DOS attribute of a directory entry (what JSZip wrote for folders too). */
const DOS_DIRECTORY = 0x10;

/** The DOS date-time range a ZIP entry can carry: 1980 to 2099 as fflate writes it. */
const DOS_EARLIEST = Date.UTC(1980, 0, 1);
const DOS_LATEST = Date.UTC(2099, 11, 31, 23, 59, 58);

const EMPTY = new Uint8Array(new ArrayBuffer(0));

/** Options of {@link ZipWriter}. */
export interface ZipWriterOptions {
  /** Time stamped on every entry (kept in UTC fields, as JSZip did; clamped to 1980–2099). */
  date: Date;
  /** Bytes the ZIP may reach; tests lower it. @default ZIP_MAX_BYTES */
  maxBytes?: number | undefined;
  /** What deflates the pieces of {@link ZipWriter.aside} files. @default deflating in the thread */
  deflater?: FileDeflater | undefined;
  /**
   * Bytes of text an {@link ZipWriter.aside} file keeps in memory (deflated); past them, its pieces
   * go to a temporary file until it is placed. Tests lower it. @default ASIDE_MEMORY_BYTES
   */
  asideMemoryBytes?: number | undefined;
}

/**
 * Bytes of text (before deflating) up to which a file written aside keeps its pieces in memory:
 * `index.md` of 10,000 videos (1.4 MB) stays there; `batch.json` (about 4.8 KB a summary) goes to
 * a temporary file from its 850th summary on. See spill-file.ts.
 */
export const ASIDE_MEMORY_BYTES = 4 << 20;

/**
 * Writes a ZIP one file at a time: `file(name, bytes)` for a whole file, or `aside(name)` for one
 * written in pieces beside the others and `place`d later, then `end()` for the central directory.
 * Compressed bytes gather until `take()`. A folder entry
 * (`summaries/`) is written before the first file inside it, as JSZip did.
 *
 * Every limit of a ZIP without ZIP64 is checked as bytes are written: past 65,535 entries or
 * 4 GiB it throws `EXPORT_TOO_LARGE` before the central directory, so a reader never gets a ZIP
 * that looks complete but is corrupt.
 */
export class ZipWriter {
  readonly #mtime: Date;
  readonly #maxBytes: number;
  readonly #deflater: FileDeflater;
  readonly #asideMemoryBytes: number;
  readonly #folderNames = new Set<string>();
  readonly #directory = new DirectoryBuffer();
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** Bytes written so far: the offset of what comes next. */
  #written = 0;
  #entries = 0;
  #failure: unknown;
  #ended = false;

  constructor(options: ZipWriterOptions) {
    this.#maxBytes = options.maxBytes ?? ZIP_MAX_BYTES;
    this.#deflater = options.deflater ?? new InThreadDeflater(ZIP_COMPRESSION_LEVEL);
    this.#mtime = dosDate(options.date);
    this.#asideMemoryBytes = options.asideMemoryBytes ?? ASIDE_MEMORY_BYTES;
  }

  /** Compressed bytes written and not taken yet. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Entries written so far, folders included. */
  get entries(): number {
    return this.#entries;
  }

  /** The bytes written since the last call, as one array. */
  take(): Uint8Array {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#buffered = 0;
    return concat(chunks);
  }

  /**
   * Starts the file `name` beside the ZIP: written in pieces, each deflated as it comes (by the
   * writer's deflater: maybe a worker), kept compressed (in memory, or in a temporary file past
   * `asideMemoryBytes`) until {@link place} puts it in the ZIP. This lets an export write
   * `index.md` and `batch.json` during the one pass that writes the summary files. Call
   * `dispose()` on it when done, placed or not: it removes its temporary file.
   */
  aside(name: string): AsideFile {
    if (this.#ended) throw new Error(`ZipWriter: cannot add ${name} now`);
    return new AsideFile(name, this.#deflater, (error) => (this.#failure ??= error), this.#asideMemoryBytes);
  }

  /** Writes a closed {@link aside} file here, after the files written so far, once its pieces are deflated. */
  async place(file: AsideFile): Promise<void> {
    for await (const _ of this.placing(file));
  }

  /**
   * {@link place}, a step at a time: a file kept in a temporary file is read back 64 KB at a time,
   * and after each the bytes written so far can be taken, so it never comes back into memory whole.
   */
  async *placing(file: AsideFile): AsyncGenerator<void> {
    if (this.#ended) throw new Error(`ZipWriter: cannot place ${file.name} now`);
    const deflated = await file.take();
    const spill = deflated.spill;
    if (spill === undefined) {
      this.deflated(file.name, deflated);
      return;
    }
    this.#checkSize(file.name, deflated.size);
    this.#addFolders(file.name);
    const input = new PreDeflated(file.name, deflated);
    const open = this.#add(input);
    for (const piece of deflated.pieces) input.push(piece, false);
    for await (const chunk of spill.read()) {
      input.push(chunk, false);
      yield;
    }
    input.push(EMPTY, true);
    this.#finish(open);
  }

  /** A whole file at once, deflated in one call by zlib (see the top of this file). */
  file(name: string, bytes: Uint8Array): void {
    if (bytes.byteLength > ZIP_MAX_BYTES) throw tooLarge(`${name} alone passes 4 GiB`, { bytes: bytes.byteLength, limit: ZIP_MAX_BYTES });
    this.deflated(name, deflateBytes(bytes, ZIP_COMPRESSION_LEVEL));
  }

  /** A file deflated already (by a {@link FileDeflater}): its bytes, size and CRC-32 go in as they are. */
  deflated(name: string, file: DeflatedFile | DeflatedPieces): void {
    this.#checkSize(name, file.size);
    this.#addFolders(name);
    const input = new PreDeflated(name, file);
    const open = this.#add(input);
    input.write();
    this.#finish(open);
  }

  #checkSize(name: string, size: number): void {
    if (this.#ended) throw new Error(`ZipWriter: cannot add ${name} now`);
    if (size > ZIP_MAX_BYTES) throw tooLarge(`${name} alone passes 4 GiB`, { bytes: size, limit: ZIP_MAX_BYTES });
  }

  /** Writes the central directory: the ZIP is complete once the bytes taken after this are written. */
  end(): void {
    this.#check();
    this.#ended = true;
    const size = this.#directory.size;
    const footer = new Uint8Array(END_OF_DIRECTORY_BYTES);
    const view = new DataView(footer.buffer);
    view.setUint32(0, 0x06054b50, true);
    view.setUint16(8, this.#entries, true);
    view.setUint16(10, this.#entries, true);
    view.setUint32(12, size, true);
    view.setUint32(16, this.#written, true);
    for (const block of this.#directory.take()) this.#push(block);
    this.#push(footer);
  }

  /** The folder entries of `name` not written yet (`summaries/`), as JSZip wrote them. */
  #addFolders(name: string): void {
    for (let slash = name.indexOf('/'); slash !== -1; slash = name.indexOf('/', slash + 1)) {
      const folder = name.slice(0, slash + 1);
      if (this.#folderNames.has(folder)) continue;
      this.#folderNames.add(folder);
      const open = this.#add(new ZipPassThrough(folder));
      open.file.attrs = DOS_DIRECTORY;
      open.file.push(EMPTY, true);
      this.#finish(open);
    }
  }

  /** Starts `file` in a `Zip` of its own, whose bytes go straight to the output. */
  #add<F extends ZipInputFile>(file: F): OpenEntry<F> {
    if (this.#entries + 1 > ZIP_MAX_ENTRIES) {
      throw tooLarge(`it would hold more than the ${ZIP_MAX_ENTRIES.toLocaleString('en-US')} files a ZIP can hold`, {
        entries: this.#entries + 1,
        limit: ZIP_MAX_ENTRIES,
      });
    }
    this.#entries += 1;
    file.mtime = this.#mtime;
    const open: OpenEntry<F> = { file, offset: this.#written, header: undefined, bytes: 0 };
    this.#directory.reserve(46 + Buffer.byteLength(file.filename, 'utf8'));
    const zip = new Zip((error, data) => {
      if (error) {
        this.#failure ??= error;
        return;
      }
      open.header ??= data;
      open.bytes += data.byteLength;
      this.#push(data);
    });
    zip.add(file);
    return open;
  }

  /** Records the central directory entry of a file fflate has written whole (header, data, descriptor). */
  #finish(open: OpenEntry): void {
    this.#check();
    const header = open.header;
    if (header === undefined || header.byteLength < LOCAL_HEADER_BYTES) throw new Error(`ZipWriter: ${open.file.filename} has no local header`);
    const nameLength = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint16(26, true);
    const entry = new Uint8Array(46 + nameLength);
    const view = new DataView(entry.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, 20, true); // made by: MS-DOS, version 2.0 (what fflate writes)
    entry.set(header.subarray(4, 14), 6); // needed version, flags, method, time, date
    view.setUint32(16, open.file.crc, true);
    view.setUint32(20, open.bytes - header.byteLength - DATA_DESCRIPTOR_BYTES, true);
    view.setUint32(24, open.file.size, true);
    view.setUint16(28, nameLength, true);
    view.setUint32(38, open.file.attrs ?? 0, true);
    view.setUint32(42, open.offset, true);
    entry.set(header.subarray(LOCAL_HEADER_BYTES, LOCAL_HEADER_BYTES + nameLength), 46);
    this.#directory.append(entry);
  }

  #push(data: Uint8Array): void {
    this.#chunks.push(data);
    this.#buffered += data.byteLength;
    this.#written += data.byteLength;
  }

  /** Throws what fflate reported (a bug, never an input), or `EXPORT_TOO_LARGE` once the ZIP and its directory would pass its limit. */
  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
    const bytes = this.#written + this.#directory.reserved + END_OF_DIRECTORY_BYTES;
    if (bytes > this.#maxBytes) {
      throw tooLarge(`it passes the ${formatBytes(this.#maxBytes)} a ZIP without ZIP64 can hold`, { bytes, limit: this.#maxBytes });
    }
  }
}

const LOCAL_HEADER_BYTES = 30;
const DATA_DESCRIPTOR_BYTES = 16;
const END_OF_DIRECTORY_BYTES = 22;

/** A file being written: its fflate stream, where it starts, its local header and the bytes written so far. */
export interface OpenEntry<F extends ZipInputFile = ZipInputFile> {
  file: F;
  offset: number;
  header: Uint8Array | undefined;
  bytes: number;
}

/** A file deflated in pieces: its size, its CRC-32, and its deflated bytes in order: `pieces`, then those of `spill`. */
export interface DeflatedPieces {
  pieces: Uint8Array<ArrayBuffer>[];
  /** The rest of the deflated bytes, in a temporary file. */
  spill?: SpillFile | undefined;
  size: number;
  crc: number;
}

/** A file compressed beside the ZIP, placed into it later: see {@link ZipWriter.aside}. */
export class AsideFile {
  /** UTF-8 bytes written so far (counted here, so a file past 4 GiB is refused as it is written). */
  #size = 0;
  /** Pieces put before the rest ({@link prepend}), first first. */
  #head: Promise<DeflatedFile>[] = [];
  /** The other pieces, in order, while they are kept in memory. */
  #body: Promise<DeflatedFile>[] = [];
  /** Where the other pieces go once the file passed `memoryBytes`. */
  #spill: SpillFile | undefined;
  #closed = false;
  #taken = false;

  constructor(
    readonly name: string,
    private readonly deflater: FileDeflater,
    private readonly fail: (error: unknown) => void,
    private readonly memoryBytes = ASIDE_MEMORY_BYTES,
  ) {}

  /** Adds `text` to the file, as UTF-8: encoding, CRC-32 and deflating are the deflater's work (maybe a worker's). */
  write(text: string): void {
    if (this.#closed) throw new Error(`ZipWriter: ${this.name} is closed`);
    this.#grow(Buffer.byteLength(text, 'utf8'));
    this.#append(this.deflater.deflatePiece(text, false));
    if (this.#spill === undefined && this.#size > this.memoryBytes) {
      // From now on the pieces go to disk, those kept so far first.
      const spill = new SpillFile(this.name);
      for (const piece of this.#body.splice(0)) spill.append(piece);
      this.#spill = spill;
    }
  }

  #grow(bytes: number): void {
    this.#size += bytes;
    if (this.#size > ZIP_MAX_BYTES) {
      const error = tooLarge(`${this.name} alone passes 4 GiB`, { bytes: this.#size, limit: ZIP_MAX_BYTES });
      this.fail(error);
      throw error;
    }
  }

  /**
   * Puts `text` before everything written so far: a head that sums up the rest (the counts at
   * the top of `index.md`) is written last. Its deflated piece goes first.
   */
  prepend(text: string): void {
    if (this.#closed) throw new Error(`ZipWriter: ${this.name} is closed`);
    this.#grow(Buffer.byteLength(text, 'utf8'));
    const piece = this.deflater.deflatePiece(text, false);
    // Awaited by take(); a file never placed (the export stopped) must not count as unhandled.
    piece.catch(() => undefined);
    this.#head.unshift(piece);
  }

  /** Ends the file; it can then be placed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#append(this.deflater.deflatePiece('', true));
  }

  /**
   * The file's deflated pieces, once: the file is closed if it was not. Its CRC-32 is that of the
   * pieces', combined in order. With a temporary file, `pieces` holds the head only, and the rest
   * is in `spill`.
   */
  async take(): Promise<DeflatedPieces> {
    if (this.#taken) throw new Error(`ZipWriter: ${this.name} is placed already`);
    this.#taken = true;
    this.close();
    const head = await Promise.all(this.#head.splice(0));
    const body = await Promise.all(this.#body.splice(0));
    const spill = this.#spill;
    await spill?.written();
    let crc = 0;
    let size = 0;
    for (const piece of [...head, ...body, ...(spill?.pieces ?? [])]) {
      crc = crc32Combine(crc, piece.crc, piece.size);
      size += piece.size;
    }
    if (size !== this.#size) throw new Error(`ZipWriter: ${this.name} came back from its deflater with ${size} bytes, not ${this.#size}`);
    return { pieces: [...head, ...body].map((piece) => piece.data), spill, size, crc };
  }

  /** Removes the file's temporary file, if it has one (after it is placed, or when the export stops). */
  async dispose(): Promise<void> {
    await this.#spill?.remove();
  }

  #append(piece: Promise<DeflatedFile>): void {
    // Awaited by take(); a file never placed (the export stopped) must not count as unhandled.
    piece.catch(() => undefined);
    if (this.#spill === undefined) this.#body.push(piece);
    else this.#spill.append(piece);
  }
}

const ZEROS = new Uint8Array(64 * 1024);

/**
 * The CRC-32 of `a` then `b` from the CRC-32 of each and the length of `b`. A CRC is linear over
 * GF(2): crc(a·b) = crc(zeros(n) from crc(a)) ^ crc(zeros(n) from 0) ^ crc(b), with n = `bLength`.
 * It costs two CRC runs over n zero bytes (zlib's crc32 does about 10 GB/s), not over the data.
 */
export function crc32Combine(aCrc: number, bCrc: number, bLength: number): number {
  let fromA = aCrc;
  let fromZero = 0;
  for (let left = bLength; left > 0; left -= ZEROS.byteLength) {
    const zeros = left >= ZEROS.byteLength ? ZEROS : ZEROS.subarray(0, left);
    fromA = crc32(zeros, fromA);
    fromZero = crc32(zeros, fromZero);
  }
  return (fromA ^ fromZero ^ bCrc) >>> 0;
}

/** The central directory's bytes, in 64 KB blocks: no object per entry. */
class DirectoryBuffer {
  static readonly BLOCK = 64 * 1024;
  #blocks: Uint8Array[] = [];
  #block = new Uint8Array(DirectoryBuffer.BLOCK);
  #used = 0;
  /** Bytes appended. */
  size = 0;
  /** Bytes announced by `reserve` (the entries started, written or not). */
  reserved = 0;

  reserve(bytes: number): void {
    this.reserved += bytes;
  }

  append(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.byteLength) {
      if (this.#used === this.#block.byteLength) {
        this.#blocks.push(this.#block);
        this.#block = new Uint8Array(DirectoryBuffer.BLOCK);
        this.#used = 0;
      }
      const count = Math.min(bytes.byteLength - from, this.#block.byteLength - this.#used);
      this.#block.set(bytes.subarray(from, from + count), this.#used);
      this.#used += count;
      from += count;
    }
    this.size += bytes.byteLength;
  }

  /** The blocks, the last one trimmed; the buffer is empty afterwards. */
  take(): Uint8Array[] {
    const blocks = [...this.#blocks, this.#block.subarray(0, this.#used)];
    this.#blocks = [];
    this.#block = new Uint8Array(0);
    this.#used = 0;
    return blocks;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] ?? EMPTY;
  const result = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    result.set(chunk, at);
    at += chunk.byteLength;
  }
  return result;
}

/**
 * A file deflated elsewhere, as fflate's `Zip` takes a file it does not compress (its documented
 * `ZipInputFile`): name, size and CRC-32 known, the deflated bytes handed on in one piece.
 */
class PreDeflated implements ZipInputFile {
  readonly filename: string;
  readonly size: number;
  readonly crc: number;
  readonly compression = 8;
  mtime?: Date;
  attrs?: number;
  ondata?: AsyncFlateStreamHandler;
  readonly #pieces: Uint8Array<ArrayBuffer>[];

  constructor(name: string, file: DeflatedFile | DeflatedPieces) {
    this.filename = name;
    this.size = file.size;
    this.crc = file.crc;
    this.#pieces = 'pieces' in file ? file.pieces : [file.data];
  }

  write(): void {
    const last = this.#pieces.length - 1;
    if (last < 0) this.ondata?.(null, EMPTY, true);
    this.#pieces.forEach((piece, at) => this.ondata?.(null, piece, at === last));
  }

  /** Hands on `data`, the last of the file's bytes when `final`: for bytes that come over time. */
  push(data: Uint8Array<ArrayBuffer>, final: boolean): void {
    this.ondata?.(null, data, final);
  }
}

function tooLarge(reason: string, details: Record<string, number>): TubesumError {
  return new TubesumError(ErrorCode.EXPORT_TOO_LARGE, `This export cannot be written as one ZIP: ${reason}. Export without transcripts, or split the batch.`, {
    details,
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(0)} GiB` : `${bytes.toLocaleString('en-US')} bytes`;
}

/**
 * `date` as fflate should stamp it. fflate reads local time (`getHours()`) where JSZip read UTC
 * (`getUTCHours()`): the local date with the same fields as `date` in UTC keeps JSZip's
 * meaning, whatever the machine's time zone.
 */
function dosDate(date: Date): Date {
  const time = Math.min(DOS_LATEST, Math.max(DOS_EARLIEST, date.getTime()));
  const utc = new Date(time);
  return new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds());
}
