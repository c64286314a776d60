/**
 * Markdown and YAML helpers of the export. Every value that reaches a file comes from a
 * user, a video page or a model, so each one goes through one of these before it is written.
 */

import { escapeInline } from '../internal/markdown-text.js';

export { escapeInline, oneLine, prose } from '../internal/markdown-text.js';
export { timestampLabel, timestampUrl, videoUrl, wholeSeconds } from '../youtube-links.js';

/** Seconds as `h:mm:ss` (`0:03:25`, `1:02:05`). */
export function durationLabel(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  return `${hours}:${minutes}:${String(total % 60).padStart(2, '0')}`;
}

/** Characters YAML requires escaped in a double-quoted scalar that `JSON.stringify` leaves raw. */
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff]/g;
const SURROGATE_OR_YAML_UNSAFE = /[\ud800-\udfff\u007f-\u009f\u2028\u2029\ufeff]/;

/**
 * A string as a YAML double-quoted scalar. JSON strings are YAML 1.2 double-quoted scalars;
 * C1 controls, line separators and BOM are escaped too and lone surrogates become `�`, so
 * a title holding quotes, colons, `#`, newlines or `---` stays one value on one line.
 */
export function yamlString(text: string): string {
  // Most values hold none of them (a surrogate here may also be half of a well-formed pair, like an emoji's).
  if (!SURROGATE_OR_YAML_UNSAFE.test(text)) return JSON.stringify(text);
  return JSON.stringify(text.replace(/\p{Cs}/gu, '\uFFFD')).replace(YAML_UNSAFE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An ISO 8601 time as `2026-01-31 14:05 UTC`; what arrived, when it is not a time. */
export function dateLabel(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeInline(iso);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A relative link target for Markdown: each path segment percent-encoded. */
export function linkTarget(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
