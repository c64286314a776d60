import { z } from 'zod';
import { ErrorCode, TubesumError, cancelledError } from '../errors.js';
import type { JobSnapshot } from '../records.js';
import { ExportFiles, PageCursor, checkEntryCount, entryTextChars, mostEntries } from './export-passes.js';
import type { ExportEntry } from './export-format.js';
import { indexHead, indexRow, indexTail, itemLabel, listNamesOf } from './render-index.js';
import type { SummaryFacts } from './render-index.js';
import { manifestHead, manifestItem, manifestItemText, manifestTail } from './render-manifest.js';
import { missingSummaryText, renderSummaryFile } from './render-summary-file.js';
import { missingTranscriptText, renderTranscriptSrt, renderTranscriptText } from './render-transcript.js';
import { check, checkEntry, checkJob, invalid } from './validate-export.js';
import { ZIP_COMPRESSION_LEVEL, ZIP_MAX_ENTRIES, ZipWriter } from './zip-writer.js';
import { createFileDeflater } from './file-deflater.js';
import type { DeflatedFile, FileDeflater } from './file-deflater.js';
import { integerFrom } from '../internal/option-schemas.js';
import type { AsideFile } from './zip-writer.js';

export { ZIP_MAX_ENTRIES } from './zip-writer.js';

/** What {@link ExportPageReader} is asked for: a window of the job's items in index order. */
export interface ExportPageRequest {
  offset: number;
  limit: number;
  /** Attach each done item's summary (`entry.summary`). */
  summaries: boolean;
  /** Attach each item's transcript (`entry.transcript`) when it has one. */
  transcripts: boolean;
  /** Aborted when the export stops (consumer cancelled, `signal` aborted, an error). */
  signal: AbortSignal;
}

/**
 * Reads one page of a job's entries. An export calls it page after page, with summaries (and
 * transcripts on request), and holds one page and the next. A page shorter than `limit` ends
 * the items. Only an export that might pass the 65,535 files of a ZIP (a batch of more than
 * about 21,800 videos with transcripts) reads the items once more before, without summaries,
 * to count its files. Throw a `STORAGE_ERROR` `TubesumError` when the backend fails: the
 * stream then errors with it.
 */
export type ExportPageReader = (request: ExportPageRequest) => Promise<ExportEntry[]>;

/** Options of {@link createExportStream} and `BatchProcessor.exportStream`. */
export interface ExportStreamOptions {
  /**
   * Adds each video's transcript: `transcripts/NNN-<title>.txt` (one `[mm:ss] text` line per
   * cue) and `.srt`. Each video then takes three files: a batch of more than about 21,800 videos
   * would pass the 65,535 files a ZIP holds and is refused with `EXPORT_TOO_LARGE`.
   * @default false
   */
  withTranscripts?: boolean | undefined;
  /** Stops the export; the stream then errors with a `CANCELLED` error. */
  signal?: AbortSignal | undefined;
  /**
   * Time stamped on the files of the ZIP and written as `exportedAt`.
   * @default new Date()
   */
  date?: Date | undefined;
  /**
   * Most items read from the store at once. Pages of long summaries or transcripts hold fewer:
   * each page asks for about 100,000 characters of their text, as the last page suggests.
   * @default 200, or 20 with transcripts
   */
  pageSize?: number | undefined;
}

/** What `BatchProcessor.export` and `exportStream` take: who asks, and the export's options. */
export interface ExportRequest {
  /** Who is asking; only the job's owner can export it. */
  userId: string;
  /** See {@link ExportStreamOptions.withTranscripts}. @default false */
  withTranscripts?: boolean | undefined;
  /** Stops the export; the stream errors (or `export()` rejects) with `CANCELLED`. */
  signal?: AbortSignal | undefined;
}

/** The fields of {@link ExportRequest} besides `userId`, for the processor's schema. */
export const exportRequestShape = {
  withTranscripts: z.boolean({ error: 'a boolean' }).optional(),
  signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
};

const exportStreamOptionsSchema = z.object({
  ...exportRequestShape,
  date: z.date({ error: 'a Date' }).optional(),
  pageSize: integerFrom(1, 10_000).optional(),
});

/**
 * Bytes of ZIP handed to the consumer at once, and the most the stream prepares ahead of it:
 * once one chunk waits unread, the store is not read until the consumer takes it.
 */
const CHUNK_BYTES = 64 * 1024;

/**
 * The export ZIP of `job` as a web `ReadableStream`, written while `readPage` reads the store:
 * memory holds a page of entries (and the next, read ahead) and the ZIP's directory, not the
 * videos; `batch.json` past 4 MB of text waits in a temporary file (under `os.tmpdir()`, removed
 * when the export ends, fails or is cancelled) until it is placed last. Same layout as
 * {@link createExportZip} (plus transcripts on request). Resolves once the first page is read,
 * before any byte is written, so `EXPORT_TOO_LARGE` and an unreachable store reject here.
 *
 * A store error later errors the stream with that error (a `STORAGE_ERROR`): the consumer never
 * sees a ZIP that looks complete but is cut short. Cancelling the stream, or aborting `signal`,
 * stops reading the store.
 *
 * Node streams: `Readable.fromWeb(stream)`; a file: `await pipeline(Readable.fromWeb(stream), createWriteStream(path))`;
 * an HTTP response: `new Response(stream)`.
 */
export async function createExportStream(job: JobSnapshot, readPage: ExportPageReader, options: ExportStreamOptions = {}): Promise<ReadableStream<Uint8Array>> {
  job = checkJob(job);
  if (typeof readPage !== 'function') throw invalid('readPage', 'a function', readPage);
  check(exportStreamOptionsSchema, options, 'options', 'an options object { withTranscripts?, signal?, date?, pageSize? }');
  const withTranscripts = options.withTranscripts === true;
  const pageSize = options.pageSize ?? (withTranscripts ? 20 : 200);
  const date = options.date ?? new Date();
  if (Number.isNaN(date.getTime())) throw invalid('options.date', 'a valid Date', options.date);
  options.signal?.throwIfAborted();

  // One controller for the whole export: the caller's signal, the consumer's cancel and errors abort it.
  const stop = new AbortController();
  const onAbort = () => stop.abort(cancelledError(options.signal));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const detach = () => options.signal?.removeEventListener('abort', onAbort);
  const signal = stop.signal;

  const content = new PageCursor(readPage, { summaries: true, transcripts: withTranscripts, signal }, pageSize, job.total, entryTextChars);
  try {
    // The ZIP's entries are counted as they are written; only a batch that might pass a ZIP's
    // limit has its items counted before (refused before its first byte, not cut short).
    if (mostEntries(job.total, withTranscripts) > ZIP_MAX_ENTRIES) await checkEntryCount(job, readPage, { pageSize, withTranscripts, signal });
    await content.at(0);
  } catch (error) {
    detach();
    throw signal.aborted ? cancelledError(signal) : error;
  }

  const chunks = zipChunks(job, content, { withTranscripts, date, signal });
  let settled = false;
  const finish = (): void => {
    settled = true;
    detach();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // An abort while nobody reads errors the stream at once; a read under way stops at its next check.
        signal.addEventListener(
          'abort',
          () => {
            if (settled) return;
            finish();
            controller.error(cancelledError(signal));
          },
          { once: true },
        );
      },
      // Called only while the consumer wants bytes (less than one chunk queued): each call reads
      // the store and deflates just enough for one chunk, so a slow consumer slows the reads.
      async pull(controller) {
        try {
          const { done, value } = await chunks.next();
          if (settled) return;
          if (done) {
            finish();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          if (settled) return;
          finish();
          const reason = signal.aborted ? cancelledError(signal) : error;
          if (!signal.aborted) stop.abort(error);
          controller.error(reason);
        }
      },
      cancel(reason) {
        finish();
        if (!signal.aborted) stop.abort(new TubesumError(ErrorCode.CANCELLED, 'The export was cancelled by its reader.', { cause: reason }));
      },
    },
    { highWaterMark: CHUNK_BYTES, size: (chunk) => chunk.byteLength },
  );
}

/**
 * The ZIP's bytes in chunks of at least {@link CHUNK_BYTES} (the last may be shorter). One pass
 * over the store, a page at a time, names and writes the summary files (and transcripts) in
 * batch order and, beside them, the rows of `index.md` and `batch.json` (kept compressed: in memory
 * up to `ASIDE_MEMORY_BYTES` of text, in a temporary file past it), which follow with their heads (the counts) put before the rows
 * once the pass ends; then the central directory. Between two `next()` calls the store is not
 * read; only the deflater may still work on the last batch sent (see {@link DeflateBatches}).
 */
async function* zipChunks(
  job: JobSnapshot,
  content: PageCursor,
  { withTranscripts, date, signal }: { withTranscripts: boolean; date: Date; signal: AbortSignal },
): AsyncGenerator<Uint8Array> {
  const deflater = createFileDeflater(mostEntries(job.total, withTranscripts), ZIP_COMPRESSION_LEVEL);
  const writer = new ZipWriter({ date, deflater });
  const index = new AsideText(writer, 'index.md');
  const manifest = new AsideText(writer, 'batch.json');
  const dispose = () => Promise.all([index.file.dispose(), manifest.file.dispose()]);
  // An export stopped while its generator waits at a `yield` never resumes it: stop the worker
  // and remove the temporary files here.
  const onAbort = () => {
    deflater.close();
    void dispose();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const files = new ExportFiles(job, withTranscripts);
    const batches = new DeflateBatches(writer, deflater, signal);
    const listNames = listNamesOf(job);
    // The job's items, `job.total` at most; a page shorter than asked ends them sooner.
    for (let position = 0; position < job.total; position += 1) {
      const entry = await content.at(position);
      if (content.past(position)) break;
      checkEntry(entry, `entries[${position}]`);
      const { item, summary, transcript } = entry!;
      // Past 65,535 files (a running job's items that gained files since they were counted), the writer refuses with EXPORT_TOO_LARGE.
      const { summaryFile, transcriptFiles } = files.add(item);
      let facts: SummaryFacts | undefined;
      if (summaryFile !== undefined) {
        facts = { durationSeconds: summary?.durationSeconds, missing: summary === undefined };
        batches.add(summaryFile, summary === undefined ? missingSummaryText(item) : renderSummaryFile(job, item, summary));
      }
      if (transcriptFiles !== undefined) {
        if (transcript === undefined) {
          const missing = missingTranscriptText(item);
          batches.add(transcriptFiles.text, missing);
          batches.add(transcriptFiles.srt, missing);
        } else {
          batches.add(transcriptFiles.text, renderTranscriptText(item, transcript));
          batches.add(transcriptFiles.srt, renderTranscriptSrt(transcript));
        }
      }
      index.add(`${indexRow(item, itemLabel(item, summary?.title ?? item.title), summaryFile, facts, transcriptFiles, listNames)}\n`);
      manifest.add(manifestItemText(JSON.stringify(manifestItem(item, summary, summaryFile, transcriptFiles)), position === 0));
      if (batches.full) {
        await batches.send();
        if (writer.buffered >= CHUNK_BYTES) yield writer.take();
      }
    }
    await batches.drain();
    index.add(indexTail(job, files.byVideo));
    manifest.add(manifestTail(job, files.listed, files.byVideo));
    index.end(indexHead(job, files.counts, files.listed));
    manifest.end(manifestHead(job, files.counts, date));
    signal.throwIfAborted();
    // batch.json comes back from its temporary file 64 KB at a time: handed on as it is read.
    for (const { file } of [index, manifest]) {
      for await (const _ of writer.placing(file)) {
        signal.throwIfAborted();
        if (writer.buffered >= CHUNK_BYTES) yield writer.take();
      }
    }
    writer.end();
    yield writer.take();
  } finally {
    signal.removeEventListener('abort', onAbort);
    deflater.close();
    await dispose();
  }
}

/**
 * The rendered files on their way into the ZIP, a batch at a time, in order: while the deflater
 * (a worker, see file-deflater.ts) works on one batch, the export reads and renders the next;
 * a batch is written into the ZIP once the next one is sent.
 */
class DeflateBatches {
  /** Characters that end a batch early (long transcripts): what the worker holds at once stays small. */
  static readonly MAX_CHARS = 1 << 20;
  #names: string[] = [];
  #texts: string[] = [];
  #chars = 0;
  #sent: { names: string[]; files: Promise<DeflatedFile[]> } | undefined;

  constructor(
    private readonly writer: ZipWriter,
    private readonly deflater: FileDeflater,
    private readonly signal: AbortSignal,
  ) {}

  add(name: string, text: string): void {
    this.#names.push(name);
    this.#texts.push(text);
    this.#chars += text.length;
  }

  get full(): boolean {
    return this.#names.length >= this.deflater.batchFiles || this.#chars >= DeflateBatches.MAX_CHARS;
  }

  /** Sends the files added so far, then writes the batch sent before into the ZIP. */
  async send(): Promise<void> {
    const previous = this.#sent;
    this.#sent = undefined;
    if (this.#names.length > 0) {
      const files = this.deflater.deflate(this.#texts);
      // Awaited in turn below; a batch never awaited (the export stopped) must not count as unhandled.
      files.catch(() => undefined);
      this.#sent = { names: this.#names, files };
      this.#names = [];
      this.#texts = [];
      this.#chars = 0;
    }
    if (previous !== undefined) await this.#write(previous);
  }

  /** Sends what is left and writes every batch. */
  async drain(): Promise<void> {
    await this.send();
    await this.send();
  }

  async #write({ names, files }: { names: string[]; files: Promise<DeflatedFile[]> }): Promise<void> {
    const deflated = await files;
    this.signal.throwIfAborted();
    for (let at = 0; at < names.length; at += 1) this.writer.deflated(names[at]!, deflated[at]!);
  }
}

/** A text file written aside (see `ZipWriter.aside`) in pieces of about 64 KB, its head last. */
class AsideText {
  readonly file: AsideFile;
  #text = '';

  constructor(writer: ZipWriter, name: string) {
    this.file = writer.aside(name);
  }

  add(text: string): void {
    this.#text += text;
    if (this.#text.length >= CHUNK_BYTES) this.flush();
  }

  /** Hands the text so far on as one piece. */
  flush(): void {
    if (this.#text === '') return;
    const text = this.#text;
    this.#text = '';
    this.file.write(text);
  }

  /** Writes what is left, puts `head` before all of it, and closes the file. */
  end(head: string): void {
    this.flush();
    this.file.prepend(head);
    this.file.close();
  }
}

/** Reads a whole export stream into one array (what `BatchProcessor.export` returns). */
export async function collectStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  const result = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    result.set(chunk, at);
    at += chunk.byteLength;
  }
  return result;
}
