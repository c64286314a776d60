import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { cancelledError, ErrorCode, TubesumError } from '../errors.js';
import { validateOptions } from '../internal/validate-options.js';
import { validateFetchTranscriptOptions } from './fetch-transcript-options.js';
import { CaptionFormatError, parseJson3, parsePlainText, parseSrt, parseWebVtt } from './caption-formats.js';
import type { ParsedCaptions } from './caption-formats.js';
import type { FetchTranscriptOptions, Transcript, TranscriptSource } from './transcript-source.js';
import { assertVideoId, baseLanguage } from './video-id.js';
import { positiveInteger } from '../internal/option-schemas.js';

/** Options of {@link FileTranscriptSource}. */
export interface FileTranscriptSourceOptions {
  /**
   * Folder holding one file per video, named by video id: `<videoId>.<ext>` or
   * `<videoId>.<lang>.<ext>` (as yt-dlp writes them), with `ext` one of `vtt`, `srt`,
   * `json3`/`json` (YouTube JSON3) or `txt`. An optional `<videoId>.info.json` sidecar
   * (yt-dlp's `--write-info-json`) supplies title, channel and duration.
   */
  directory: string;
  /**
   * Language of files whose name and header do not say one.
   * @default 'en'
   */
  language?: string | undefined;
  /**
   * When no file is in a requested language, use a file in another language rather
   * than failing with `NO_TRANSCRIPT_IN_LANGUAGE`.
   * @default true
   */
  allowAnyLanguage?: boolean | undefined;
  /**
   * Files larger than this many bytes are refused with `EMPTY_TRANSCRIPT`.
   * @default 20971520 (20 MiB)
   */
  maxFileBytes?: number | undefined;
}

const optionsSchema = z
  .object({
    directory: z.string({ error: 'a folder path' }).min(1, { error: 'a non-empty folder path' }),
    language: z.string({ error: 'a language code such as "en"' }).min(1, { error: 'a language code such as "en"' }).default('en'),
    allowAnyLanguage: z.boolean({ error: 'a boolean' }).default(true),
    maxFileBytes: positiveInteger.default(20 * 1024 * 1024),
  })
  .strict();

type CaptionFormat = 'vtt' | 'srt' | 'json3' | 'txt';
const FORMAT_ORDER: readonly CaptionFormat[] = ['vtt', 'srt', 'json3', 'txt'];
const EXTENSION_FORMAT: Readonly<Record<string, CaptionFormat>> = {
  vtt: 'vtt',
  srt: 'srt',
  json3: 'json3',
  json: 'json3',
  txt: 'txt',
};
const PARSERS: Readonly<Record<CaptionFormat, (text: string) => ParsedCaptions>> = {
  vtt: parseWebVtt,
  srt: parseSrt,
  json3: parseJson3,
  txt: parsePlainText,
};
const FILE_NAME_TAIL = /^(?:([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.)?(vtt|srt|json3|json|txt)$/i;

interface Candidate {
  fileName: string;
  language: string | undefined;
  format: CaptionFormat;
}

/**
 * Reads transcripts stored as files named by video id: WebVTT, SRT, YouTube's JSON3 or
 * plain text. For users who already have captions (from yt-dlp, say) and for offline use.
 *
 * A missing file is a non-fatal "not found here": `TRANSCRIPTS_DISABLED` with
 * `details.notFound: true`, so {@link chainTranscriptSources} goes on to the next source.
 *
 * The folder is listed once and the listing indexed by video id, so a folder of 10,000
 * files costs one listing, not one per video. A video missing from the index lists the
 * folder again (files dropped in while a batch runs are found); lookups at the same time
 * share one listing.
 * An empty, binary, unparseable or oversized file gives `EMPTY_TRANSCRIPT`.
 *
 * Plain-text files carry no timing: their segment times are estimated from the word
 * count at 150 words a minute.
 *
 * @example
 * const transcripts = new FileTranscriptSource({ directory: './captions' });
 * const transcript = await transcripts.fetchTranscript('dQw4w9WgXcQ');
 */
export class FileTranscriptSource implements TranscriptSource {
  readonly name = 'file';
  readonly #directory: string;
  readonly #language: string;
  readonly #allowAnyLanguage: boolean;
  readonly #maxFileBytes: number;
  /** File names by video id, from the last listing of the folder. */
  #index: Map<string, string[]> | undefined;
  /** The listing under way, shared by every lookup that needs it. */
  #listing: Promise<Map<string, string[]>> | undefined;
  /** Bumped when a listing completes: a miss re-lists only when no listing completed since the lookup began. */
  #generation = 0;

  constructor(options: FileTranscriptSourceOptions) {
    const parsed = validateOptions(optionsSchema, options, 'FileTranscriptSource options');
    this.#directory = parsed.directory;
    this.#language = parsed.language;
    this.#allowAnyLanguage = parsed.allowAnyLanguage;
    this.#maxFileBytes = parsed.maxFileBytes;
  }

  async fetchTranscript(videoId: string, options: FetchTranscriptOptions = {}): Promise<Transcript> {
    assertVideoId(videoId);
    validateFetchTranscriptOptions(options);
    const { signal } = options;
    if (signal?.aborted) throw cancelledError(signal, videoId);
    const requested = options.languages?.length ? options.languages : [this.#language];

    const names = await this.#list(videoId);
    const candidates = names.flatMap((fileName) => toCandidate(videoId, fileName));
    if (candidates.length === 0) throw this.#notFound(videoId);

    const rank = (candidate: Candidate) => languageRank(candidate.language ?? this.#language, requested);
    const ranked = [...candidates].sort((a, b) => rank(a) - rank(b) || FORMAT_ORDER.indexOf(a.format) - FORMAT_ORDER.indexOf(b.format));
    const chosen = ranked[0] as Candidate;
    if (rank(chosen) === Number.POSITIVE_INFINITY && !this.#allowAnyLanguage) {
      const available = [...new Set(candidates.map((candidate) => candidate.language ?? this.#language))];
      throw new TubesumError(
        ErrorCode.NO_TRANSCRIPT_IN_LANGUAGE,
        `No transcript file for ${videoId} in ${requested.join(', ')} (files exist in ${available.join(', ')}).`,
        { videoId, details: { source: 'file', requested: [...requested], available } },
      );
    }

    const path = join(this.#directory, chosen.fileName);
    const text = await this.#readText(videoId, path, signal);
    let parsed: ParsedCaptions;
    try {
      parsed = PARSERS[chosen.format](text);
    } catch (error) {
      if (!(error instanceof CaptionFormatError)) throw error;
      throw emptyTranscript(videoId, path, `could not be read as ${chosen.format}: ${error.message}`, error);
    }
    if (parsed.segments.length === 0) throw emptyTranscript(videoId, path, 'holds no caption text');

    const info = names.includes(`${videoId}.info.json`) ? await this.#readInfo(join(this.#directory, `${videoId}.info.json`), signal, videoId) : {};
    const title = info.title ?? nonEmpty(parsed.headers['title']);
    const channel = info.channel ?? nonEmpty(parsed.headers['channel']);
    return {
      videoId,
      language: chosen.language ?? nonEmpty(parsed.headers['language']) ?? this.#language,
      isAutoGenerated: parsed.autoGenerated,
      segments: parsed.segments,
      ...(title === undefined ? {} : { title }),
      ...(channel === undefined ? {} : { channel }),
      ...(info.durationSeconds === undefined ? {} : { durationSeconds: info.durationSeconds }),
      source: this.name,
    };
  }

  /** The files of `videoId`: from the index, or from a new listing when the index has none for it. */
  async #list(videoId: string): Promise<string[]> {
    const generation = this.#generation;
    const index = this.#index ?? (await this.#relist(videoId));
    const names = index.get(videoId);
    if (names !== undefined) return names;
    // Another lookup refreshed the index while this one waited: that listing is fresh enough.
    const fresh = this.#generation !== generation && this.#index !== undefined ? this.#index : await this.#relist(videoId);
    return fresh.get(videoId) ?? [];
  }

  #relist(videoId: string): Promise<Map<string, string[]>> {
    this.#listing ??= this.#readIndex().finally(() => {
      this.#listing = undefined;
    });
    return this.#listing.catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw this.#notFound(videoId, error, ' (the folder does not exist)');
      throw new TubesumError(ErrorCode.TRANSCRIPTS_DISABLED, `Could not list ${this.#directory}: ${String(error)}`, {
        videoId,
        cause: error,
        details: { source: 'file', directory: this.#directory },
      });
    });
  }

  async #readIndex(): Promise<Map<string, string[]>> {
    const index = new Map<string, string[]>();
    for (const name of await readdir(this.#directory)) {
      const dot = name.indexOf('.');
      if (dot <= 0) continue;
      const videoId = name.slice(0, dot);
      const names = index.get(videoId);
      if (names) names.push(name);
      else index.set(videoId, [name]);
    }
    this.#index = index;
    this.#generation += 1;
    return index;
  }

  #notFound(videoId: string, cause?: unknown, note = ''): TubesumError {
    return new TubesumError(ErrorCode.TRANSCRIPTS_DISABLED, `No transcript file for ${videoId} in ${this.#directory}${note}.`, {
      videoId,
      cause,
      details: { source: 'file', directory: this.#directory, notFound: true },
    });
  }

  async #readBytes(videoId: string, path: string, signal: AbortSignal | undefined): Promise<Buffer> {
    try {
      const info = await stat(path);
      if (!info.isFile()) throw emptyTranscript(videoId, path, 'is not a regular file');
      if (info.size > this.#maxFileBytes) {
        throw emptyTranscript(videoId, path, `is ${info.size} bytes, over the ${this.#maxFileBytes}-byte limit`);
      }
      const bytes = await readFile(path, signal ? { signal } : {});
      if (bytes.length > this.#maxFileBytes) {
        throw emptyTranscript(videoId, path, `is over the ${this.#maxFileBytes}-byte limit`);
      }
      return bytes;
    } catch (error) {
      if (signal?.aborted) throw cancelledError(signal, videoId);
      if (error instanceof TubesumError) throw error;
      throw new TubesumError(ErrorCode.TRANSCRIPTS_DISABLED, `Could not read ${path}: ${String(error)}`, {
        videoId,
        cause: error,
        details: { source: 'file', path },
      });
    }
  }

  async #readText(videoId: string, path: string, signal: AbortSignal | undefined): Promise<string> {
    const text = decodeText(await this.#readBytes(videoId, path, signal));
    if (text === undefined) throw emptyTranscript(videoId, path, 'looks binary, not like text');
    if (text.trim() === '') throw emptyTranscript(videoId, path, 'is empty');
    return text;
  }

  /** yt-dlp's `.info.json`; a broken sidecar is ignored, it only adds metadata. */
  async #readInfo(path: string, signal: AbortSignal | undefined, videoId: string): Promise<{ title?: string; channel?: string; durationSeconds?: number }> {
    let data: unknown;
    try {
      const text = decodeText(await this.#readBytes(videoId, path, signal));
      data = text === undefined ? undefined : JSON.parse(text);
    } catch (error) {
      if (isCancelled(error)) throw error;
      return {};
    }
    if (typeof data !== 'object' || data === null) return {};
    const record = data as Record<string, unknown>;
    const title = nonEmpty(record['title']);
    const channel = nonEmpty(record['channel']) ?? nonEmpty(record['uploader']);
    const duration = record['duration'];
    return {
      ...(title === undefined ? {} : { title }),
      ...(channel === undefined ? {} : { channel }),
      ...(typeof duration === 'number' && Number.isFinite(duration) && duration >= 0 ? { durationSeconds: Math.round(duration) } : {}),
    };
  }
}

function isCancelled(error: unknown): boolean {
  return error instanceof TubesumError && error.code === ErrorCode.CANCELLED;
}

function toCandidate(videoId: string, fileName: string): Candidate[] {
  const match = FILE_NAME_TAIL.exec(fileName.slice(videoId.length + 1));
  if (!match) return [];
  const format = EXTENSION_FORMAT[(match[2] ?? '').toLowerCase()];
  return format ? [{ fileName, language: match[1], format }] : [];
}

/** 0 for the first requested language, then its regional variants after all exact matches; Infinity if unwanted. */
function languageRank(language: string, requested: readonly string[]): number {
  const exact = requested.findIndex((wanted) => wanted.toLowerCase() === language.toLowerCase());
  if (exact >= 0) return exact;
  const base = requested.findIndex((wanted) => baseLanguage(wanted) === baseLanguage(language));
  return base >= 0 ? requested.length + base : Number.POSITIVE_INFINITY;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function emptyTranscript(videoId: string, path: string, what: string, cause?: unknown): TubesumError {
  return new TubesumError(ErrorCode.EMPTY_TRANSCRIPT, `Transcript file ${path} ${what}.`, {
    videoId,
    cause,
    details: { source: 'file', path },
  });
}

/** UTF-8 (or UTF-16 with a byte-order mark) text, or undefined when the bytes look binary. */
function decodeText(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return undefined;
  let control = 0;
  for (const byte of head) if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) control += 1;
  if (head.length > 0 && control / head.length > 0.1) return undefined;
  return new TextDecoder('utf-8').decode(bytes);
}
