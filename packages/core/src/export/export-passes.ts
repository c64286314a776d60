// The passes of a streaming export over the store: the plan (every file name and the entry
// count, before a byte is written), then `index.md` and `batch.json` one page at a time.
import { ErrorCode, TubesumError } from '../errors.js';
import type { ItemCounts, JobSnapshot } from '../records.js';
import type { ExportEntry } from './export-format.js';
import { summaryFileName, transcriptFileNames } from './export-names.js';
import type { TranscriptFiles } from './export-names.js';
import { indexHead, indexRow, indexTail, itemLabel, listNamesOf } from './render-index.js';
import { manifestHead, manifestItem, manifestItemText, manifestTail } from './render-manifest.js';
import type { ExportPageReader, ExportPageRequest } from './export-stream.js';
import { check, entrySchema, invalid } from './validate-export.js';
import { ZIP_MAX_ENTRIES } from './zip-writer.js';

const utf8 = new TextEncoder();

/**
 * What the first pass over the items decides: every file of the ZIP, so that `index.md` can link
 * the files written before it and a ZIP too large is refused before its first byte.
 */
export interface Plan {
  listed: number;
  counts: ItemCounts;
  summaryFiles: Array<string | undefined>;
  transcriptFiles: Array<TranscriptFiles | undefined>;
  /** The first item of each video named by a duplicate input, for the duplicates tables. */
  byVideo: Map<string, { index: number; label: string }>;
  entries: number;
}

/** Facts of each summary file, gathered while it is written, for `index.md`: tiny per video. */
export interface Facts {
  durations: Float64Array;
  missing: Uint8Array;
  /** Summary titles that differ from the item's title (rare). */
  titles: Map<number, string>;
}

/** Reads pages in order and keeps only the current one. */
export class PageCursor {
  #offset = -1;
  #page: ExportEntry[] = [];

  constructor(
    private readonly read: ExportPageReader,
    private readonly request: Omit<ExportPageRequest, 'offset' | 'limit'>,
    private readonly pageSize: number,
  ) {}

  async at(position: number): Promise<ExportEntry | undefined> {
    const offset = position - (position % this.pageSize);
    if (offset !== this.#offset) {
      this.request.signal.throwIfAborted();
      this.#page = [];
      this.#page = await this.read({ ...this.request, offset, limit: this.pageSize });
      this.#offset = offset;
      this.request.signal.throwIfAborted();
    }
    return this.#page[position - offset];
  }
}

/** Reads every item (without summaries) and decides every file name, and checks the ZIP can hold them. */
export async function planFiles(
  job: JobSnapshot,
  readPage: ExportPageReader,
  { pageSize, withTranscripts, signal }: { pageSize: number; withTranscripts: boolean; signal: AbortSignal },
): Promise<Plan> {
  const plan: Plan = {
    listed: 0,
    counts: { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 },
    summaryFiles: [],
    transcriptFiles: [],
    byVideo: new Map(),
    entries: 2, // index.md, batch.json
  };
  const duplicated = new Set(job.duplicates.map((entry) => entry.videoId));
  const taken = new Set<string>();
  let summaries = 0;
  let transcripts = 0;
  for (let offset = 0; ; offset += pageSize) {
    signal.throwIfAborted();
    const page = await readPage({ offset, limit: pageSize, summaries: false, transcripts: false, signal });
    if (!Array.isArray(page)) throw invalid('readPage()', 'a promise of an array of entries', page);
    for (const entry of page) {
      check(entrySchema, entry, `entries[${plan.listed}]`, 'an object { item, summary? }');
      const { item } = entry;
      plan.listed += 1;
      plan.counts[item.status] += 1;
      if (item.status === 'done' && item.summaryKey !== undefined) {
        plan.summaryFiles.push(summaryFileName(job.total, item, item.title, taken));
        summaries += 1;
      } else {
        plan.summaryFiles.push(undefined);
      }
      if (withTranscripts && item.transcriptKey !== undefined) {
        plan.transcriptFiles.push(transcriptFileNames(job.total, item, item.title, taken));
        transcripts += 1;
      } else {
        plan.transcriptFiles.push(undefined);
      }
      if (duplicated.has(item.videoId) && !plan.byVideo.has(item.videoId)) {
        plan.byVideo.set(item.videoId, { index: item.index, label: itemLabel(item, item.title) });
      }
    }
    if (page.length < pageSize) break;
  }
  taken.clear();
  // The writer adds one entry per folder as well (`summaries/`, `transcripts/`).
  plan.entries += summaries + 2 * transcripts + (summaries > 0 ? 1 : 0) + (transcripts > 0 ? 1 : 0);
  if (plan.entries > ZIP_MAX_ENTRIES) {
    throw new TubesumError(
      ErrorCode.EXPORT_TOO_LARGE,
      `This export would hold ${plan.entries.toLocaleString('en-US')} files, more than the ${ZIP_MAX_ENTRIES.toLocaleString('en-US')} a ZIP can hold. ` +
        `With transcripts each video takes 3 files: export without transcripts, or split the batch into batches of at most 21,800 videos.`,
      { details: { entries: plan.entries, limit: ZIP_MAX_ENTRIES } },
    );
  }
  return plan;
}

/** `index.md`, one page of rows at a time; summary facts come from the summary files written before it. */
export async function* indexChunks(
  job: JobSnapshot,
  plan: Plan,
  facts: Facts,
  readPage: ExportPageReader,
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  yield utf8.encode(indexHead(job, plan.counts, plan.listed));
  const listNames = listNamesOf(job);
  const cursor = new PageCursor(readPage, { summaries: false, transcripts: false, signal }, pageSize);
  let rows = '';
  for (let position = 0; position < plan.listed; position += 1) {
    const entry = await cursor.at(position);
    if (entry === undefined) break;
    const { item } = entry;
    const file = plan.summaryFiles[position];
    const duration = facts.durations[position];
    const summaryFacts =
      file === undefined
        ? undefined
        : { durationSeconds: duration === undefined || Number.isNaN(duration) ? undefined : duration, missing: facts.missing[position] === 1 };
    const label = itemLabel(item, facts.titles.get(position) ?? item.title);
    rows += `${indexRow(item, label, file, summaryFacts, plan.transcriptFiles[position], listNames)}\n`;
    if (rows.length >= 64 * 1024) {
      yield utf8.encode(rows);
      rows = '';
    }
  }
  yield utf8.encode(rows + indexTail(job, plan.byVideo));
}

/** `batch.json`, one page of items at a time, reading the summaries again. */
export async function* manifestChunks(
  job: JobSnapshot,
  plan: Plan,
  date: Date,
  readPage: ExportPageReader,
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  yield utf8.encode(manifestHead(job, plan.counts, date));
  const cursor = new PageCursor(readPage, { summaries: true, transcripts: false, signal }, pageSize);
  let text = '';
  let written = 0;
  for (let position = 0; position < plan.listed; position += 1) {
    const entry = await cursor.at(position);
    if (entry === undefined) break;
    check(entrySchema, entry, `entries[${position}]`, 'an object { item, summary? }');
    const file = plan.summaryFiles[position];
    const json = JSON.stringify(manifestItem(entry.item, entry.summary, file, plan.transcriptFiles[position]));
    text += manifestItemText(json, written === 0);
    written += 1;
    if (text.length >= 64 * 1024) {
      yield utf8.encode(text);
      text = '';
    }
  }
  yield utf8.encode(text + manifestTail(job, written, plan.byVideo));
}
