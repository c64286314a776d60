import { z } from 'zod';
import { cancelledError } from '../errors.js';
import type { ItemCounts, JobSnapshot } from '../records.js';
import type { ExportEntry } from './export-format.js';
import { summaryFileName } from './export-names.js';
import { indexHead, indexRow, indexTail, itemLabel, listNamesOf } from './render-index.js';
import { manifestHead, manifestItem, manifestItemText, manifestTail } from './render-manifest.js';
import { renderSummaryFile } from './render-summary-file.js';
import { check, checkEntry, checkJob, invalid } from './validate-export.js';
import { ZipWriter } from './zip-writer.js';

export { EXPORT_FORMAT_VERSION } from './export-format.js';
export type { ExportEntry, ExportManifest, ExportManifestItem } from './export-format.js';

/** Options for {@link createExportZip}. */
export interface CreateExportZipOptions {
  /** Stops the export between entries; it then rejects with a `CANCELLED` error. */
  signal?: AbortSignal | undefined;
  /**
   * Time stamped on the files of the ZIP and written as `exportedAt`.
   * @default new Date()
   */
  date?: Date | undefined;
}

const utf8 = new TextEncoder();

const optionsSchema = z.object({ signal: z.instanceof(AbortSignal).optional(), date: z.date().optional() });

/**
 * Builds the ZIP a person reads and a program parses:
 *
 * - `index.md`: the job (name, dates, counts) and every input with its status: done (linked
 *   to its summary file), failed (message and code), cancelled, pending, plus rejected
 *   inputs with their reasons and duplicates with the video they repeat.
 * - `summaries/NNN-<title>.md`: one per summary, YAML front matter (title, channel, url,
 *   duration, language, model, …) and key points and chapters linking into the video at
 *   their timestamp (`https://www.youtube.com/watch?v=ID&t=SECONDS`).
 * - `batch.json`: the same facts, versioned ({@link EXPORT_FORMAT_VERSION}), see {@link ExportManifest}.
 *
 * File names are safe on every OS whatever the titles hold (see `safeFileName`) and unique
 * (the item's position prefixes each). Entries are read one at a time; only the ZIP's
 * contents are kept, so a store can stream them.
 *
 * @throws {TubesumError} `INVALID_OPTIONS` for a malformed `job` or entry; `CANCELLED` when `signal` aborts.
 */
export async function createExportZip(
  job: JobSnapshot,
  entries: AsyncIterable<ExportEntry> | Iterable<ExportEntry>,
  options: CreateExportZipOptions = {},
): Promise<Uint8Array> {
  job = checkJob(job);
  if (entries === null || typeof entries !== 'object' || (!(Symbol.asyncIterator in entries) && !(Symbol.iterator in entries))) {
    throw invalid('entries', 'an async iterable of { item, summary? }', entries);
  }
  check(optionsSchema, options, 'options', 'an options object { signal?, date? }');
  const { signal } = options;
  const date = options.date ?? new Date();
  if (Number.isNaN(date.getTime())) throw invalid('options.date', 'a valid Date', options.date);
  signal?.throwIfAborted();

  const zip = new ZipWriter({ date });
  const names = new Set<string>();
  const counts: ItemCounts = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  const rows: Array<[number, string]> = [];
  const manifestItems: Array<[number, string]> = [];
  const listNames = listNamesOf(job);
  const byVideo = new Map<string, { index: number; label: string }>();

  let position = 0;
  for await (const entry of entries) {
    if (signal?.aborted) throw cancelledError(signal);
    checkEntry(entry, `entries[${position}]`);
    const { item, summary } = entry;
    position += 1;
    counts[item.status] += 1;

    const title = summary?.title ?? item.title;
    let file: string | undefined;
    if (summary !== undefined) {
      file = summaryFileName(job.total, item, title, names);
      zip.file(file, utf8.encode(renderSummaryFile(job, item, summary)));
    }

    const label = itemLabel(item, title);
    if (!byVideo.has(item.videoId)) byVideo.set(item.videoId, { index: item.index, label });
    const facts = summary === undefined ? undefined : { durationSeconds: summary.durationSeconds, missing: false };
    rows.push([item.index, indexRow(item, label, file, facts, undefined, listNames)]);
    manifestItems.push([item.index, JSON.stringify(manifestItem(item, summary, file))]);
  }
  if (signal?.aborted) throw cancelledError(signal);

  rows.sort((a, b) => a[0] - b[0]);
  manifestItems.sort((a, b) => a[0] - b[0]);
  const index = `${indexHead(job, counts, position)}${rows.map(([, row]) => `${row}\n`).join('')}${indexTail(job, byVideo)}`;
  zip.file('index.md', utf8.encode(index));
  const manifest = `${manifestHead(job, counts, date)}${manifestItems.map(([, json], at) => manifestItemText(json, at === 0)).join('')}${manifestTail(job, position, byVideo)}`;
  zip.file('batch.json', utf8.encode(manifest));
  rows.length = 0;
  manifestItems.length = 0;

  zip.end();
  return zip.take();
}
