import { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';
import { validateOptions } from '../internal/validate-options.js';
import type { VideoListReference } from '../lists/video-list-source.js';
import { listKey, parseListUrl } from './parse-list-url.js';
import { describeValue, displayInput, parseToken } from './parse-video-url.js';

/** One accepted video of a list. */
export interface VideoInput {
  /** The 11-character YouTube video id. */
  videoId: string;
  /** Canonical `https://www.youtube.com/watch?v=ID`. */
  url: string;
  /** What the user typed for it. */
  input: string;
}

/** A playlist or channel link to expand into videos (only with `lists: true`). */
export interface ListInput {
  /** What the user typed for it. */
  input: string;
  list: VideoListReference;
  /** How many entries of `videos` came before it in the input: its videos go there. */
  position: number;
}

/** An input that was not accepted as a video, with a reason a person understands. */
export interface RejectedInput {
  input: string;
  reason: string;
}

/** An input that names a video already in the batch. */
export interface DuplicateInput {
  input: string;
  videoId: string;
}

/** Something a person should know about an accepted input. */
export interface InputNote {
  input: string;
  videoId: string;
  note: string;
}

/** Options of {@link parseUrlList}. */
export interface ParseUrlListOptions {
  /**
   * Return playlist and channel links in `lists`, to be expanded by a list source, instead
   * of rejecting them.
   * @default false
   */
  lists?: boolean | undefined;
}

/** What {@link parseUrlList} returns. Each list keeps the order of the input. */
export interface ParsedUrlList {
  /** Distinct videos, first occurrence first. */
  videos: VideoInput[];
  /** Inputs naming a video already in `videos` (compared by video id, not by text). */
  duplicates: DuplicateInput[];
  /** Inputs that are not YouTube videos, each with a reason a person understands. */
  rejected: RejectedInput[];
  /** Distinct playlists and channels to expand; always empty unless `lists: true`. */
  lists: ListInput[];
  /** Notes on accepted inputs, e.g. a video link that also named a playlist. */
  notes: InputNote[];
}

/**
 * At most this many inputs are read from one list; the rest are reported as one rejected
 * entry, so a hostile paste cannot make results grow without bound.
 */
export const MAX_LIST_INPUTS = 200_000;

/** One input: a run of characters that are not whitespace, commas or semicolons. */
const TOKEN = /[^\s,;]+/g;

/** Markdown list bullets and numbering (`-`, `*`, `+`, `•`, `1.`, `2)`), which are skipped. */
const LIST_MARKER = /^(?:[-*+•]|\d{1,9}[.)])$/;

const textSchema = z.union([z.string(), z.array(z.string())]);
const optionsSchema = z.object({ lists: z.boolean({ error: 'a boolean' }).optional() }, { error: 'an options object { lists? }' });

/**
 * Reads every YouTube video out of pasted text or a list of lines.
 *
 * Inputs are separated by whitespace (CRLF included), commas and semicolons; Markdown
 * bullets and numbering are ignored. Each input goes through {@link parseVideoUrl}.
 * Playlist and channel links are rejected with a reason, or, with `lists: true`, returned
 * in `lists` for a list source to expand. Mixes (`RD…`) are always refused: they never end.
 * `watch?v=X&list=Y` is the video X alone, with a note saying the list was not taken.
 * The same video twice is one video plus a duplicate entry. Linear in the size of the
 * input and bounded: at most {@link MAX_LIST_INPUTS} inputs are read, and rejected inputs
 * are echoed back shortened to 200 characters plus `…`.
 *
 * @example
 * parseUrlList('- https://youtu.be/dQw4w9WgXcQ\n- https://example.com\n- dQw4w9WgXcQ')
 * // videos: [dQw4w9WgXcQ], duplicates: [{ input: 'dQw4w9WgXcQ', videoId: 'dQw4w9WgXcQ' }],
 * // rejected: [{ input: 'https://example.com', reason: 'Not a YouTube link: example.com' }]
 * @throws {TubesumError} `INVALID_OPTIONS` when `text` is not a string or an array of strings.
 */
export function parseUrlList(text: string | readonly string[], options: ParseUrlListOptions = {}): ParsedUrlList {
  const checked = textSchema.safeParse(text);
  if (!checked.success) {
    const index = Array.isArray(text) ? text.findIndex((line) => typeof line !== 'string') : -1;
    throw new TubesumError(
      ErrorCode.INVALID_OPTIONS,
      index !== -1 && Array.isArray(text)
        ? `Expected \`text[${index}]\` to be a string, got ${describeValue(text[index])}`
        : `Expected \`text\` to be a string or an array of strings, got ${describeValue(text)}`,
    );
  }

  const expandLists = validateOptions(optionsSchema, options, 'parseUrlList() options').lists === true;
  const result: ParsedUrlList = { videos: [], duplicates: [], rejected: [], lists: [], notes: [] };
  const seen = new Set<string>();
  const seenLists = new Set<string>();
  let read = 0;
  let firstIgnored: string | undefined;
  let ignored = 0;

  for (const chunk of typeof text === 'string' ? [text] : text) {
    for (const match of chunk.matchAll(TOKEN)) {
      const token = match[0];
      if (LIST_MARKER.test(token)) continue;
      if (read >= MAX_LIST_INPUTS) {
        firstIgnored ??= token;
        ignored += 1;
        continue;
      }
      read += 1;
      const listed = parseListUrl(token);
      if (listed.type === 'refused') {
        result.rejected.push({ input: displayInput(token), reason: listed.reason });
        continue;
      }
      if (listed.type === 'list' && expandLists) {
        const key = listKey(listed.list);
        if (seenLists.has(key)) {
          result.rejected.push({ input: displayInput(token), reason: 'This list is already in the batch; it is read once' });
        } else {
          seenLists.add(key);
          result.lists.push({ input: token, list: listed.list, position: result.videos.length });
        }
        continue;
      }
      const parsed = parseToken(token);
      if (!parsed.ok) {
        result.rejected.push({ input: parsed.input, reason: parsed.reason });
      } else if (seen.has(parsed.videoId)) {
        result.duplicates.push({ input: token, videoId: parsed.videoId });
      } else {
        seen.add(parsed.videoId);
        result.videos.push({ videoId: parsed.videoId, url: parsed.url, input: token });
        if (listed.type === 'video-in-list') {
          result.notes.push({
            input: displayInput(token),
            videoId: parsed.videoId,
            note: `Only this video was taken, not the list ${displayInput(listed.listId)} it was opened from; paste the playlist link to take the whole list`,
          });
        }
      }
    }
  }

  if (firstIgnored !== undefined) {
    result.rejected.push({
      input: displayInput(firstIgnored),
      reason:
        `Too many inputs: only the first ${MAX_LIST_INPUTS.toLocaleString('en-US')} are read; ` +
        `this one and ${(ignored - 1).toLocaleString('en-US')} more after it were ignored`,
    });
  }
  return result;
}
