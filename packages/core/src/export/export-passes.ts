// The first pass of a streaming export over the store: the plan (every file name and the entry
// count, before a byte is written). The second pass, which writes the files, is in export-stream.ts.
import { ErrorCode, TubesumError } from '../errors.js';
import type { ItemCounts, JobSnapshot } from '../records.js';
import type { ExportEntry } from './export-format.js';
import { summaryFileName, transcriptFileNames } from './export-names.js';
import type { TranscriptFiles } from './export-names.js';
import { itemLabel } from './render-index.js';
import type { ExportPageReader, ExportPageRequest } from './export-stream.js';
import { check, entrySchema, invalid } from './validate-export.js';
import { ZIP_MAX_ENTRIES } from './zip-writer.js';

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

/**
 * Reads pages in order and keeps only the current one, and asks for the next while the current
 * one is used, so the store works (on its own threads or server) while the export renders.
 */
export class PageCursor {
  #offset = -1;
  #page: ExportEntry[] = [];
  #next: { offset: number; page: Promise<ExportEntry[]> } | undefined;

  constructor(
    private readonly read: ExportPageReader,
    private readonly request: Omit<ExportPageRequest, 'offset' | 'limit'>,
    private readonly pageSize: number,
    /** Items there are (the plan's count): no page is read ahead past them. */
    private readonly end = Number.POSITIVE_INFINITY,
  ) {}

  async at(position: number): Promise<ExportEntry | undefined> {
    const offset = position - (position % this.pageSize);
    if (offset !== this.#offset) {
      this.request.signal.throwIfAborted();
      this.#page = [];
      const next = this.#next?.offset === offset ? this.#next.page : this.#load(offset);
      this.#next = undefined;
      this.#page = await next;
      this.#offset = offset;
      this.request.signal.throwIfAborted();
      if (this.#page.length === this.pageSize && offset + this.pageSize < this.end)
        this.#next = { offset: offset + this.pageSize, page: this.#load(offset + this.pageSize) };
    }
    return this.#page[position - offset];
  }

  /** Whether `position` is past the items: after {@link at} read its page, which came back shorter. */
  past(position: number): boolean {
    return position - this.#offset >= this.#page.length;
  }

  #load(offset: number): Promise<ExportEntry[]> {
    // Called in a promise: a reader that throws at once fails the read of its page, not this call.
    const page = Promise.resolve({ ...this.request, offset, limit: this.pageSize })
      .then((request) => this.read(request))
      .then((entries: unknown) => {
        if (!Array.isArray(entries)) throw invalid('readPage()', 'a promise of an array of entries', entries);
        return entries as ExportEntry[];
      });
    // A page read ahead and never used (the export stopped) must not count as unhandled.
    page.catch(() => undefined);
    return page;
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
  const cursor = new PageCursor(readPage, { summaries: false, transcripts: false, signal }, pageSize, job.total);
  for (let position = 0; ; position += 1) {
    const entry = await cursor.at(position);
    if (cursor.past(position)) break;
    check(entrySchema, entry, `entries[${plan.listed}]`, 'an object { item, summary? }');
    const { item } = entry as ExportEntry;
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
