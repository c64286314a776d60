// The ZIP writer of every export. fflate's streaming `Zip` lays out each file (local header,
// data, data descriptor) as bytes are asked for; this writer keeps the central directory itself:
// - a file given whole (a summary, a transcript) is deflated in one call by zlib (`node:zlib`
//   `deflateRawSync`, level 6: the algorithm and level JSZip's pako ported), inside a
//   `ZipPassThrough` that says it is deflated;
// - a file written in pieces (`index.md`, `batch.json`) has each piece (about 64 KB) deflated
//   by zlib the same way, ending with a sync flush instead of a finish (`PieceDeflate`): fflate's
//   own `ZipDeflate` took 0.6 s of a 6 s 10,000-video export (profiled); zlib's share did not grow.
// Why not `ZipDeflate` for every file: it sizes its state for 96 KB windows whatever the file
// (about 800 KB allocated per 3 KB summary), which made a 10,000-file export slower than JSZip.
// Measured on 10,002 files from memory (loaded machine): ZipDeflate per file 8.7 s, fflate's
// one-shot deflateSync 4.7 s, zlib 2.7 s; a whole export peaked at 297, 276 and 239 MB.
// Why one fflate `Zip` per file and our own central directory: a single `Zip` keeps its record
// of every file (the file object, its name, closures: about 1.1 KB each, 56 MB at 50,000 files)
// until `end()`. Here each file's `Zip` is garbage once the file is written, and what the
// directory needs is kept as its final bytes (46 + name bytes per entry) in 64 KB blocks.
import { constants as zlib, deflateRawSync } from 'node:zlib';
import { Zip, ZipPassThrough } from 'fflate';
import { ErrorCode, TubesumError } from '../errors.js';

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

const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Options of {@link ZipWriter}. */
export interface ZipWriterOptions {
  /** Time stamped on every entry (kept in UTC fields, as JSZip did; clamped to 1980–2099). */
  date: Date;
  /** Bytes the ZIP may reach; tests lower it. @default ZIP_MAX_BYTES */
  maxBytes?: number | undefined;
}

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
    this.#mtime = dosDate(options.date);
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
   * Starts the file `name` beside the ZIP: written in pieces like {@link open}'s, compressed as they
   * come, but kept in memory (compressed) until {@link place} puts it in the ZIP. This lets an
   * export write `index.md` and `batch.json` during the one pass that writes the summary files.
   */
  aside(name: string): AsideFile {
    if (this.#ended) throw new Error(`ZipWriter: cannot add ${name} now`);
    const chunks: Uint8Array[] = [];
    const open = this.#add(new PieceDeflate(name), (data) => chunks.push(data));
    return new AsideFile(open, chunks, (error) => (this.#failure ??= error));
  }

  /** Writes a closed {@link aside} file here, after the files written so far. */
  place(file: AsideFile): void {
    if (this.#ended) throw new Error(`ZipWriter: cannot place ${file.name} now`);
    const { entry, chunks } = file.take();
    this.#addFolders(entry.file.filename);
    entry.offset = this.#written;
    for (const chunk of chunks) this.#push(chunk);
    this.#finish(entry);
  }

  /** A whole file at once, deflated in one call by zlib (see the top of this file). */
  file(name: string, bytes: Uint8Array): void {
    if (this.#ended) throw new Error(`ZipWriter: cannot add ${name} now`);
    if (bytes.byteLength > ZIP_MAX_BYTES) throw tooLarge(`${name} alone passes 4 GiB`, { bytes: bytes.byteLength, limit: ZIP_MAX_BYTES });
    this.#addFolders(name);
    const open = this.#add(new WholeFileDeflate(name));
    open.file.push(bytes, true);
    this.#finish(open);
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

  /** Starts `file` in a `Zip` of its own, whose bytes go straight to the output (or to `sink`: an aside file). */
  #add(file: ZipPassThrough, sink?: (data: Uint8Array) => void): OpenEntry {
    if (this.#entries + 1 > ZIP_MAX_ENTRIES) {
      throw tooLarge(`it would hold more than the ${ZIP_MAX_ENTRIES.toLocaleString('en-US')} files a ZIP can hold`, {
        entries: this.#entries + 1,
        limit: ZIP_MAX_ENTRIES,
      });
    }
    this.#entries += 1;
    file.mtime = this.#mtime;
    const open: OpenEntry = { file, offset: this.#written, header: undefined, bytes: 0 };
    this.#directory.reserve(46 + utf8.encode(file.filename).byteLength);
    const zip = new Zip((error, data) => {
      if (error) {
        this.#failure ??= error;
        return;
      }
      open.header ??= data;
      open.bytes += data.byteLength;
      if (sink === undefined) this.#push(data);
      else sink(data);
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
export interface OpenEntry {
  file: ZipPassThrough;
  offset: number;
  header: Uint8Array | undefined;
  bytes: number;
}

/** A file compressed beside the ZIP, placed into it later: see {@link ZipWriter.aside}. */
export class AsideFile {
  #size = 0;
  #closed = false;
  #taken = false;

  constructor(
    readonly entry: OpenEntry,
    readonly chunks: Uint8Array[],
    private readonly fail: (error: unknown) => void,
  ) {}

  get name(): string {
    return this.entry.file.filename;
  }

  /** Adds `bytes` to the file. */
  write(bytes: Uint8Array): void {
    if (this.#closed) throw new Error(`ZipWriter: ${this.name} is closed`);
    this.#size += bytes.byteLength;
    if (this.#size > ZIP_MAX_BYTES) {
      const error = tooLarge(`${this.name} alone passes 4 GiB`, { bytes: this.#size, limit: ZIP_MAX_BYTES });
      this.fail(error);
      throw error;
    }
    this.entry.file.push(bytes, false);
  }

  /** Ends the file; it can then be placed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.entry.file.push(EMPTY, true);
  }

  /** The entry and its compressed bytes, once: the file is closed if it was not. */
  take(): { entry: OpenEntry; chunks: Uint8Array[] } {
    if (this.#taken) throw new Error(`ZipWriter: ${this.name} is placed already`);
    this.#taken = true;
    this.close();
    const chunks = this.chunks.splice(0);
    return { entry: this.entry, chunks };
  }
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
 * A file given whole: fflate's `ZipPassThrough` computes its CRC-32 and size, zlib deflates it
 * in one call (its state is freed when the call returns, not by a later GC).
 */
class WholeFileDeflate extends ZipPassThrough {
  constructor(name: string) {
    super(name);
    this.compression = 8;
  }

  protected override process(chunk: Uint8Array, final: boolean): void {
    this.ondata(null, deflateRawSync(chunk, { level: ZIP_COMPRESSION_LEVEL }), final);
  }
}

/**
 * A file written in pieces: each piece is deflated by zlib in one call that ends with a sync
 * flush (blocks without the final bit), the last piece with a finish. One after the other they
 * form one valid DEFLATE stream; only back-references across pieces (64 KB each) are lost.
 */
class PieceDeflate extends ZipPassThrough {
  constructor(name: string) {
    super(name);
    this.compression = 8;
  }

  protected override process(chunk: Uint8Array, final: boolean): void {
    const finishFlush = final ? zlib.Z_FINISH : zlib.Z_SYNC_FLUSH;
    this.ondata(null, deflateRawSync(chunk, { level: ZIP_COMPRESSION_LEVEL, finishFlush }), final);
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
