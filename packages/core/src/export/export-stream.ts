import { z } from 'zod';
import { ErrorCode, TubesumError, cancelledError } from '../errors.js';
import type { JobSnapshot } from '../records.js';
import { PageCursor, planFiles } from './export-passes.js';
import type { Plan } from './export-passes.js';
import type { ExportEntry } from './export-format.js';
import { indexHead, indexRow, indexTail, itemLabel, listNamesOf } from './render-index.js';
import type { SummaryFacts } from './render-index.js';
import { manifestHead, manifestItem, manifestItemText, manifestTail } from './render-manifest.js';
import { missingSummaryText, renderSummaryFile } from './render-summary-file.js';
import { missingTranscriptText, renderTranscriptSrt, renderTranscriptText } from './render-transcript.js';
import { check, entrySchema, invalid, jobSchema } from './validate-export.js';
import { ZipWriter } from './zip-writer.js';
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
 * Reads one page of a job's entries. An export calls it page after page, twice over (items
 * alone, to plan the file names; then with summaries, for the files, `index.md` and
 * `batch.json`), and never holds more than one page. A page shorter than `limit` ends the items. Throw a
 * `STORAGE_ERROR` `TubesumError` when the backend fails: the stream then errors with it.
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
   * Items read from the store at once.
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

const utf8 = new TextEncoder();

/**
 * The export ZIP of `job` as a web `ReadableStream`, written while `readPage` reads the store:
 * memory holds one page of entries and the ZIP's directory, not the videos. Same layout as
 * {@link createExportZip} (plus transcripts on request). Resolves once the file list is known,
 * before any byte is written, so `EXPORT_TOO_LARGE` and the first store error reject here.
 *
 * A store error later errors the stream with that error (a `STORAGE_ERROR`): the consumer never
 * sees a ZIP that looks complete but is cut short. Cancelling the stream, or aborting `signal`,
 * stops reading the store.
 *
 * Node streams: `Readable.fromWeb(stream)`; a file: `await pipeline(Readable.fromWeb(stream), createWriteStream(path))`;
 * an HTTP response: `new Response(stream)`.
 */
export async function createExportStream(job: JobSnapshot, readPage: ExportPageReader, options: ExportStreamOptions = {}): Promise<ReadableStream<Uint8Array>> {
  check(jobSchema, job, 'job', 'a job snapshot');
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

  let plan: Plan;
  try {
    plan = await planFiles(job, readPage, { pageSize, withTranscripts, signal });
  } catch (error) {
    detach();
    throw signal.aborted ? cancelledError(signal) : error;
  }

  const chunks = zipChunks(job, plan, readPage, { pageSize, withTranscripts, date, signal });
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
 * over the store, a page at a time, writes the summary files (and transcripts) in batch order and,
 * beside them, `index.md` and `batch.json` (compressed in memory: about a tenth of their text),
 * which follow; then the central directory. Nothing runs between two `next()` calls.
 */
async function* zipChunks(
  job: JobSnapshot,
  plan: Plan,
  readPage: ExportPageReader,
  { pageSize, withTranscripts, date, signal }: { pageSize: number; withTranscripts: boolean; date: Date; signal: AbortSignal },
): AsyncGenerator<Uint8Array> {
  const writer = new ZipWriter({ date });
  const content = new PageCursor(readPage, { summaries: true, transcripts: withTranscripts, signal }, pageSize, plan.listed);
  const file = (name: string, text: string): void => writer.file(name, utf8.encode(text));
  const index = new AsideText(writer, 'index.md', indexHead(job, plan.counts, plan.listed));
  const manifest = new AsideText(writer, 'batch.json', manifestHead(job, plan.counts, date));
  const listNames = listNamesOf(job);
  let listed = 0;
  for (let position = 0; position < plan.listed; position += 1) {
    const entry = await content.at(position);
    if (entry !== undefined) check(entrySchema, entry, `entries[${position}]`, 'an object { item, summary? }');
    const summaryFile = plan.summaryFiles[position];
    const transcriptFiles = plan.transcriptFiles[position];
    let facts: SummaryFacts | undefined;
    if (summaryFile !== undefined) {
      facts = { durationSeconds: entry?.summary?.durationSeconds, missing: entry?.summary === undefined };
      file(summaryFile, entry?.summary === undefined ? missingSummaryText(entry?.item) : renderSummaryFile(job, entry.item, entry.summary));
    }
    if (transcriptFiles !== undefined) {
      const transcript = entry?.transcript;
      if (entry === undefined || transcript === undefined) {
        const missing = missingTranscriptText(entry?.item);
        file(transcriptFiles.text, missing);
        file(transcriptFiles.srt, missing);
      } else {
        file(transcriptFiles.text, renderTranscriptText(entry.item, transcript));
        file(transcriptFiles.srt, renderTranscriptSrt(transcript));
      }
    }
    // An item gone from the store since the plan (a page came back short) has no row.
    if (entry !== undefined) {
      const { item, summary } = entry;
      index.add(`${indexRow(item, itemLabel(item, summary?.title ?? item.title), summaryFile, facts, transcriptFiles, listNames)}\n`);
      manifest.add(manifestItemText(JSON.stringify(manifestItem(item, summary, summaryFile, transcriptFiles)), listed === 0));
      listed += 1;
    }
    if (writer.buffered >= CHUNK_BYTES) yield writer.take();
  }
  index.add(indexTail(job, plan.byVideo));
  manifest.add(manifestTail(job, listed, plan.byVideo));
  index.flush();
  manifest.flush();
  index.file.close();
  manifest.file.close();
  signal.throwIfAborted();
  writer.place(index.file);
  writer.place(manifest.file);
  writer.end();
  yield writer.take();
}

/** A text file written aside (see `ZipWriter.aside`) in pieces of about 64 KB. */
class AsideText {
  readonly file: AsideFile;
  #text: string;

  constructor(writer: ZipWriter, name: string, head: string) {
    this.file = writer.aside(name);
    this.#text = head;
  }

  add(text: string): void {
    this.#text += text;
    if (this.#text.length >= CHUNK_BYTES) this.flush();
  }

  /** Hands the text so far on as one piece. */
  flush(): void {
    if (this.#text === '') return;
    const bytes = utf8.encode(this.#text);
    this.#text = '';
    this.file.write(bytes);
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
