// The ZIP writer of every export. fflate's streaming `Zip` lays out the archive (local headers,
// data descriptors, the central directory) one file after the other, as bytes are asked for:
// - a file given whole (a summary, a transcript) is deflated in one call by zlib (`node:zlib`
//   `deflateRawSync`, level 6: the algorithm and level JSZip's pako ported), inside a
//   `ZipPassThrough` that says it is deflated;
// - a file written in pieces (`index.md`, `batch.json`) goes through fflate's `ZipDeflate`.
// Why not `ZipDeflate` for every file: it sizes its state for 96 KB windows whatever the file
// (about 800 KB allocated per 3 KB summary), which made a 10,000-file export slower than JSZip.
// Measured on 10,002 files from memory (loaded machine): ZipDeflate per file 8.7 s, fflate's
// one-shot deflateSync 4.7 s, zlib 2.7 s; a whole export peaked at 297, 276 and 239 MB.
// The writer holds the compressed bytes not taken yet, the file being deflated, and fflate's
// record of each file (name, sizes, CRC, for the central directory): about 1 KB per file.
import { deflateRawSync } from 'node:zlib';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
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
 * Writes a ZIP one file at a time: `open(name)`, `write(bytes)` as often as needed, `close()`,
 * then `end()` for the central directory. Compressed bytes gather until `take()`. A folder entry
 * (`summaries/`) is written before the first file inside it, as JSZip did.
 *
 * Every limit of a ZIP without ZIP64 is checked as bytes are written: past 65,535 entries or
 * 4 GiB it throws `EXPORT_TOO_LARGE` before the central directory, so a reader never gets a ZIP
 * that looks complete but is corrupt.
 */
export class ZipWriter {
  readonly #zip: Zip;
  readonly #mtime: Date;
  readonly #maxBytes: number;
  readonly #folderNames = new Set<string>();
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** Bytes fflate has produced so far: the offset of what comes next. */
  #written = 0;
  /** Bytes the central directory will take (46 per entry plus its name, 22 for its end). */
  #directory = 22;
  #entries = 0;
  #open: ZipDeflate | undefined;
  #openSize = 0;
  #failure: unknown;
  #ended = false;

  constructor(options: ZipWriterOptions) {
    this.#maxBytes = options.maxBytes ?? ZIP_MAX_BYTES;
    this.#mtime = dosDate(options.date);
    this.#zip = new Zip((error, data) => {
      if (error) {
        this.#failure ??= error;
        return;
      }
      this.#chunks.push(data);
      this.#buffered += data.byteLength;
      this.#written += data.byteLength;
    });
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
    if (chunks.length === 1) return chunks[0] ?? EMPTY;
    const result = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
    let at = 0;
    for (const chunk of chunks) {
      result.set(chunk, at);
      at += chunk.byteLength;
    }
    return result;
  }

  /** Starts the file `name` (a path with `/` between folders), closing none: call {@link close} first. */
  open(name: string): void {
    if (this.#open !== undefined || this.#ended) throw new Error(`ZipWriter: cannot open ${name} now`);
    this.#addFolders(name);
    const entry = new ZipDeflate(name, { level: ZIP_COMPRESSION_LEVEL });
    entry.mtime = this.#mtime;
    this.#add(entry);
    this.#open = entry;
    this.#openSize = 0;
  }

  /** Adds `bytes` to the open file. */
  write(bytes: Uint8Array): void {
    const entry = this.#open;
    if (entry === undefined) throw new Error('ZipWriter: no file is open');
    this.#openSize += bytes.byteLength;
    if (this.#openSize > ZIP_MAX_BYTES) throw tooLarge(`${entry.filename} alone passes 4 GiB`, { bytes: this.#openSize, limit: ZIP_MAX_BYTES });
    entry.push(bytes, false);
    this.#check();
  }

  /** Ends the open file. */
  close(): void {
    const entry = this.#open;
    if (entry === undefined) throw new Error('ZipWriter: no file is open');
    this.#open = undefined;
    entry.push(EMPTY, true);
    this.#check();
  }

  /** A whole file at once, deflated in one call by zlib (see the top of this file). */
  file(name: string, bytes: Uint8Array): void {
    if (this.#open !== undefined || this.#ended) throw new Error(`ZipWriter: cannot add ${name} now`);
    if (bytes.byteLength > ZIP_MAX_BYTES) throw tooLarge(`${name} alone passes 4 GiB`, { bytes: bytes.byteLength, limit: ZIP_MAX_BYTES });
    this.#addFolders(name);
    const entry = new WholeFileDeflate(name);
    entry.mtime = this.#mtime;
    this.#add(entry);
    entry.push(bytes, true);
    this.#check();
  }

  /** Writes the central directory: the ZIP is complete once the bytes taken after this are written. */
  end(): void {
    if (this.#open !== undefined) throw new Error('ZipWriter: a file is still open');
    this.#check();
    this.#ended = true;
    this.#zip.end();
    this.#check();
  }

  /** The folder entries of `name` not written yet (`summaries/`), as JSZip wrote them. */
  #addFolders(name: string): void {
    for (let slash = name.indexOf('/'); slash !== -1; slash = name.indexOf('/', slash + 1)) {
      const folder = name.slice(0, slash + 1);
      if (this.#folderNames.has(folder)) continue;
      this.#folderNames.add(folder);
      const entry = new ZipPassThrough(folder);
      entry.mtime = this.#mtime;
      entry.attrs = DOS_DIRECTORY;
      this.#add(entry);
      entry.push(EMPTY, true);
      this.#check();
    }
  }

  #add(entry: ZipPassThrough | ZipDeflate): void {
    if (this.#entries + 1 > ZIP_MAX_ENTRIES) {
      throw tooLarge(`it would hold more than the ${ZIP_MAX_ENTRIES.toLocaleString('en-US')} files a ZIP can hold`, {
        entries: this.#entries + 1,
        limit: ZIP_MAX_ENTRIES,
      });
    }
    this.#entries += 1;
    this.#directory += 46 + utf8.encode(entry.filename).byteLength;
    this.#zip.add(entry);
  }

  /** Throws what fflate reported (a bug, never an input), or `EXPORT_TOO_LARGE` once the ZIP and its directory would pass its limit. */
  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
    const bytes = this.#written + this.#directory;
    if (bytes > this.#maxBytes) {
      throw tooLarge(`it passes the ${formatBytes(this.#maxBytes)} a ZIP without ZIP64 can hold`, { bytes, limit: this.#maxBytes });
    }
  }
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
