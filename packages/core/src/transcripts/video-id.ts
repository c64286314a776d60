import { ErrorCode, TubesumError } from '../errors.js';

const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;

/** Throws `INVALID_URL` unless `videoId` is an 11-character YouTube video id (so it is safe in paths and URLs). */
export function assertVideoId(videoId: unknown): asserts videoId is string {
  if (typeof videoId === 'string' && VIDEO_ID.test(videoId)) return;
  const shown = typeof videoId === 'string' ? JSON.stringify(videoId.slice(0, 40)) : typeof videoId;
  throw new TubesumError(ErrorCode.INVALID_URL, `Expected a YouTube video id (11 characters of A-Z a-z 0-9 _ -), got ${shown}.`);
}

/** Primary subtag of a language code, lower-cased: `pt-BR` → `pt`. */
export function baseLanguage(code: string): string {
  return code.toLowerCase().split(/[-_]/)[0] ?? '';
}
