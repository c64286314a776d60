// What a streaming export needs besides rendering: reading the store a page at a time, naming
// the files, and counting them. The pass that writes the ZIP is in export-stream.ts.
import { ErrorCode, TubesumError } from '../errors.js';
import type { ItemCounts, ItemRecord, JobSnapshot } from '../records.js';
import type { ExportEntry } from './export-format.js';
import { summaryFileName, transcriptFileNames } from './export-names.js';
import type { TranscriptFiles } from './export-names.js';
import { itemLabel } from './render-index.js';
import type { ExportPageReader, ExportPageRequest } from './export-stream.js';
import { checkEntry, invalid } from './validate-export.js';
import { ZIP_MAX_ENTRIES } from './zip-writer.js';

/**
 * Characters of text (summaries' Markdown, transcripts' cues) an export aims to read a page at a
 * time: a page of long summaries holds fewer items, so the memory an export holds follows this,
 * not the length of the summaries. Measured on 10,000 summaries of about 4 KB (Node 20, runs
 * taking turns): 400,000 characters a page (about 100 summaries) peaked at 176-209 MB of RSS,
 * 200,000 at 155-173 MB, 100,000 at 145-154 MB for about 5% more time; with 25 files a deflating
 * batch (file-deflater.ts), 100,000 peaked 177-180 MB on Node 20 and 186-207 on Node 22 where
 * 200,000 with batches of 100 took 202-206 and 227-233 MB, for 4% more time. Each page read
 * costs a round trip to the store; what a page holds lives long enough to be promoted to V8's
 * old generation, which then grows until a full collection.
 */
export const PAGE_TEXT_CHARS = 100_000;

/** A page asked for: where it starts, how many items, and the entries once read. */
interface PageRead {
  offset: number;
  limit: number;
  page: Promise<ExportEntry[]>;
}

/**
 * Reads pages in order and keeps only the current one, and asks for the next while the current
 * one is used, so the store works (on its own threads or server) while the export renders.
 * Positions are asked in order. With `sizeOf`, each page asks for as many items as the last one
 * suggests fit in {@link PAGE_TEXT_CHARS} (from 1 up to `pageSize`); without, `pageSize` each.
 */
export class PageCursor {
  #offset = 0;
  #page: ExportEntry[] = [];
  /** A page came back shorter than asked, or reached `end`: there are no more. */
  #ended = false;
  #next: PageRead | undefined;

  constructor(
    private readonly read: ExportPageReader,
    private readonly request: Omit<ExportPageRequest, 'offset' | 'limit'>,
    private readonly pageSize: number,
    /** Items there are (the job's total): no page is read ahead past them. */
    private readonly end = Number.POSITIVE_INFINITY,
    /** Characters of text an entry holds, to size the pages by. */
    private readonly sizeOf?: (entry: ExportEntry) => number,
  ) {}

  async at(position: number): Promise<ExportEntry | undefined> {
    while (position >= this.#offset + this.#page.length && !this.#ended) await this.#advance();
    return this.#page[position - this.#offset];
  }

  /** Whether `position` is past the items: after {@link at} read its page, which came back shorter. */
  past(position: number): boolean {
    return position - this.#offset >= this.#page.length;
  }

  /** Moves to the page after the current one (read ahead, or read now). */
  async #advance(): Promise<void> {
    this.request.signal.throwIfAborted();
    const offset = this.#offset + this.#page.length;
    this.#page = [];
    const next = this.#next?.offset === offset ? this.#next : this.#load(offset, this.pageSize);
    this.#next = undefined;
    const page = await next.page;
    this.#page = page;
    this.#offset = offset;
    this.request.signal.throwIfAborted();
    if (page.length < next.limit || offset + page.length >= this.end) this.#ended = true;
    else this.#next = this.#load(offset + page.length, this.#limitAfter(page));
  }

  /** Items to ask for after `page`: what fits in {@link PAGE_TEXT_CHARS} at `page`'s size per entry. */
  #limitAfter(page: ExportEntry[]): number {
    if (this.sizeOf === undefined || page.length === 0) return this.pageSize;
    let chars = 0;
    for (const entry of page) chars += this.sizeOf(entry);
    const perEntry = Math.max(1, chars / page.length);
    return Math.max(1, Math.min(this.pageSize, Math.floor(PAGE_TEXT_CHARS / perEntry)));
  }

  #load(offset: number, limit: number): PageRead {
    // Called in a promise: a reader that throws at once fails the read of its page, not this call.
    const page = Promise.resolve({ ...this.request, offset, limit })
      .then((request) => this.read(request))
      .then((entries: unknown) => {
        if (!Array.isArray(entries)) throw invalid('readPage()', 'a promise of an array of entries', entries);
        // More than asked: the rest is the next page's, asked for in turn.
        return (entries.length > limit ? entries.slice(0, limit) : entries) as ExportEntry[];
      });
    // A page read ahead and never used (the export stopped) must not count as unhandled.
    page.catch(() => undefined);
    return { offset, limit, page };
  }
}

/**
 * Characters of text `entry` brings (its summary's Markdown, its transcript's cues): what
 * {@link PageCursor} sizes an export's pages by. Read before the entry is checked: anything
 * that is not such text counts 0.
 */
export function entryTextChars(entry: ExportEntry): number {
  const candidate = entry as { summary?: { summary?: { markdown?: unknown } }; transcript?: { segments?: unknown } } | undefined;
  const markdown = candidate?.summary?.summary?.markdown;
  let chars = typeof markdown === 'string' ? markdown.length : 0;
  const segments = candidate?.transcript?.segments;
  if (Array.isArray(segments)) {
    for (const segment of segments as Array<{ text?: unknown } | undefined>) if (typeof segment?.text === 'string') chars += segment.text.length;
  }
  return chars;
}

/** What an item adds to the ZIP: its summary file and transcript files, when it has them. */
export interface ItemFiles {
  summaryFile: string | undefined;
  transcriptFiles: TranscriptFiles | undefined;
}

/**
 * Names the files of an export's items, in item order, and counts what the ZIP holds: the
 * names are unique and safe (see `summaryFileName`), and `entries` is what the central
 * directory will count.
 */
export class ExportFiles {
  readonly counts: ItemCounts = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  /** The first item of each video named by a duplicate input, for the duplicates tables. */
  readonly byVideo = new Map<string, { index: number; label: string }>();
  /** Items named so far. */
  listed = 0;
  #summaries = 0;
  #transcripts = 0;
  readonly #taken = new Set<string>();
  readonly #duplicated: ReadonlySet<string>;

  constructor(
    private readonly job: JobSnapshot,
    private readonly withTranscripts: boolean,
  ) {
    this.#duplicated = new Set(job.duplicates.map((entry) => entry.videoId));
  }

  /** The files of `item`, the next item in order. */
  add(item: ItemRecord): ItemFiles {
    this.listed += 1;
    this.counts[item.status] += 1;
    let summaryFile: string | undefined;
    let transcriptFiles: TranscriptFiles | undefined;
    if (item.status === 'done' && item.summaryKey !== undefined) {
      summaryFile = summaryFileName(this.job.total, item, item.title, this.#taken);
      this.#summaries += 1;
    }
    if (this.withTranscripts && item.transcriptKey !== undefined) {
      transcriptFiles = transcriptFileNames(this.job.total, item, item.title, this.#taken);
      this.#transcripts += 1;
    }
    if (this.#duplicated.has(item.videoId) && !this.byVideo.has(item.videoId)) {
      this.byVideo.set(item.videoId, { index: item.index, label: itemLabel(item, item.title) });
    }
    return { summaryFile, transcriptFiles };
  }

  /** Entries of the ZIP for the items named so far: their files, `index.md`, `batch.json` and one per folder. */
  get entries(): number {
    const summaries = this.#summaries;
    const transcripts = this.#transcripts;
    return 2 + summaries + 2 * transcripts + (summaries > 0 ? 1 : 0) + (transcripts > 0 ? 1 : 0);
  }
}

/** The most entries an export of `total` videos can have: each video with all its files. */
export function mostEntries(total: number, withTranscripts: boolean): number {
  return 2 + (withTranscripts ? 3 * total + 2 : total + 1);
}

/**
 * Reads every item (without summaries) and refuses with `EXPORT_TOO_LARGE` an export whose ZIP
 * would pass {@link ZIP_MAX_ENTRIES}, before a byte is written. Needed only when
 * {@link mostEntries} passes the limit: a batch of more than about 21,800 videos with transcripts.
 */
export async function checkEntryCount(
  job: JobSnapshot,
  readPage: ExportPageReader,
  { pageSize, withTranscripts, signal }: { pageSize: number; withTranscripts: boolean; signal: AbortSignal },
): Promise<void> {
  const files = new ExportFiles(job, withTranscripts);
  const cursor = new PageCursor(readPage, { summaries: false, transcripts: false, signal }, pageSize, job.total);
  for (let position = 0; position < job.total; position += 1) {
    const entry = await cursor.at(position);
    if (cursor.past(position)) break;
    checkEntry(entry, `entries[${position}]`);
    files.add((entry as ExportEntry).item);
  }
  if (files.entries > ZIP_MAX_ENTRIES) throw tooManyEntries(files.entries);
}

/** `EXPORT_TOO_LARGE` for a ZIP of `entries` files. */
function tooManyEntries(entries: number): TubesumError {
  return new TubesumError(
    ErrorCode.EXPORT_TOO_LARGE,
    `This export would hold ${entries.toLocaleString('en-US')} files, more than the ${ZIP_MAX_ENTRIES.toLocaleString('en-US')} a ZIP can hold. ` +
      `With transcripts each video takes 3 files: export without transcripts, or split the batch into batches of at most 21,800 videos.`,
    { details: { entries, limit: ZIP_MAX_ENTRIES } },
  );
}
