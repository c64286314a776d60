import { Readable } from 'node:stream';
import JSZip from 'jszip';
import { z } from 'zod';
import { ErrorCode, TubesumError, cancelledError } from '../errors.js';
import type { JobSnapshot } from '../records.js';
import { PageCursor, indexChunks, manifestChunks, planFiles } from './export-passes.js';
import type { Facts, Plan } from './export-passes.js';
import type { ExportEntry } from './export-format.js';
import { missingSummaryText, renderSummaryFile } from './render-entry.js';
import { missingTranscriptText, renderTranscriptSrt, renderTranscriptText } from './render-transcript.js';
import { check, entrySchema, invalid, jobSchema } from './validate-export.js';

export { ZIP_MAX_ENTRIES } from './export-passes.js';

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
 * Reads one page of a job's entries. An export calls it page after page, several times over
 * (to plan the file names, then for the summary files, `index.md` and `batch.json`), and never
 * holds more than one page per pass. A page shorter than `limit` ends the items. Throw a
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
  pageSize: z.number({ error: 'an integer from 1 to 10000' }).int({ error: 'an integer from 1 to 10000' }).min(1).max(10_000).optional(),
});

/** Bytes of ZIP the stream buffers ahead of its consumer before it stops reading the store. */
const HIGH_WATER_BYTES = 1 << 20;

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
export async function createExportStream(
  job: JobSnapshot,
  readPage: ExportPageReader,
  options: ExportStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
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

  const facts: Facts = {
    durations: new Float64Array(plan.listed).fill(Number.NaN),
    missing: new Uint8Array(plan.listed),
    titles: new Map(),
  };
  let failed: ((error: unknown) => void) | undefined;
  const fail = (error: unknown): void => failed?.(error);
  const lazy = (produce: () => Promise<string>): Readable =>
    lazyEntry(async function* () {
      signal.throwIfAborted();
      yield Buffer.from(await produce());
    }, fail);
  const zip = new JSZip();
  const fileOptions = { binary: true, date } as const;
  const content = new PageCursor(readPage, { summaries: true, transcripts: withTranscripts, signal }, pageSize);
  for (let position = 0; position < plan.listed; position += 1) {
    const summaryFile = plan.summaryFiles[position];
    if (summaryFile !== undefined) {
      zip.file(summaryFile, lazy(async () => {
        const entry = await content.at(position);
        if (entry !== undefined) check(entrySchema, entry, `entries[${position}]`, 'an object { item, summary? }');
        if (entry?.summary === undefined) {
          facts.missing[position] = 1;
          return missingSummaryText(entry?.item);
        }
        const { item, summary } = entry;
        if (summary.durationSeconds !== undefined) facts.durations[position] = summary.durationSeconds;
        if (summary.title !== undefined && summary.title !== item.title) facts.titles.set(position, summary.title);
        return renderSummaryFile(job, item, summary);
      }), fileOptions);
    }
    const transcriptFiles = plan.transcriptFiles[position];
    if (transcriptFiles !== undefined) {
      const transcriptOf = async (render: (entry: ExportEntry & { transcript: NonNullable<ExportEntry['transcript']> }) => string) => {
        const entry = await content.at(position);
        if (entry === undefined) return missingTranscriptText(undefined);
        return entry.transcript === undefined ? missingTranscriptText(entry.item) : render({ ...entry, transcript: entry.transcript });
      };
      zip.file(transcriptFiles.text, lazy(() => transcriptOf((entry) => renderTranscriptText(entry.item, entry.transcript))), fileOptions);
      zip.file(transcriptFiles.srt, lazy(() => transcriptOf((entry) => renderTranscriptSrt(entry.transcript))), fileOptions);
    }
  }
  zip.file('index.md', lazyEntry(() => indexChunks(job, plan, facts, readPage, pageSize, signal), fail), fileOptions);
  zip.file('batch.json', lazyEntry(() => manifestChunks(job, plan, date, readPage, pageSize, signal), fail), fileOptions);

  const helper = zip.generateInternalStream({
    type: 'uint8array',
    streamFiles: true,
    compression: 'DEFLATE',
    compressionOptions: { level: 6 },
  });
  let settled = false;
  const finish = (): void => {
    settled = true;
    detach();
    helper.pause();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        signal.addEventListener(
          'abort',
          () => {
            if (settled) return;
            finish();
            controller.error(cancelledError(signal));
          },
          { once: true },
        );
        const error = (reason: unknown): void => {
          if (settled) return;
          finish();
          if (!signal.aborted) stop.abort(reason);
          controller.error(reason);
        };
        failed = error;
        helper
          .on('data', (chunk) => {
            if (settled) return;
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 0) <= 0) helper.pause();
          })
          .on('error', error)
          .on('end', () => {
            if (settled) return;
            finish();
            controller.close();
          });
      },
      pull() {
        if (!settled) helper.resume();
      },
      cancel(reason) {
        finish();
        if (!signal.aborted) stop.abort(new TubesumError(ErrorCode.CANCELLED, 'The export was cancelled by its reader.', { cause: reason }));
      },
    },
    { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );
}

/**
 * A ZIP entry whose bytes are made only when JSZip reaches it. A failure is reported to `fail`
 * as well as to JSZip, which drops an error raised while its worker is paused.
 */
function lazyEntry(chunks: () => AsyncGenerator<Buffer>, fail: (error: unknown) => void): Readable {
  return Readable.from(
    (async function* () {
      try {
        yield* chunks();
      } catch (error) {
        fail(error);
        throw error;
      }
    })(),
  );
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
