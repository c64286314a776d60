import type { TranscriptSegment } from './transcript-source.js';

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  lrm: '',
  rlm: '',
  zwj: '',
  zwnj: '',
  shy: '',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  copy: '©',
  reg: '®',
  trade: '™',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  ccedil: 'ç',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  szlig: 'ß',
  ntilde: 'ñ',
  iexcl: '¡',
  iquest: '¿',
  deg: '°',
  euro: '€',
  pound: '£',
  times: '×',
  middot: '·',
  bull: '•',
};

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));/g;

function decodeOnce(text: string): string {
  return text.replace(ENTITY, (whole, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
    const codePoint = decimal === undefined ? Number.parseInt(hex ?? '', 16) : Number.parseInt(decimal, 10);
    if (!Number.isFinite(codePoint) || codePoint <= 0 || codePoint > 0x10ffff) return whole;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) return whole;
    return String.fromCodePoint(codePoint);
  });
}

/**
 * Decodes HTML/XML character references. Runs twice at most, because YouTube's classic
 * caption files escape entities a second time (`I&amp;#39;m`).
 */
export function decodeHtmlEntities(text: string): string {
  const once = decodeOnce(text);
  return once.includes('&') ? decodeOnce(once) : once;
}

/** Tags (`<i>`, `</font>`, `<c.colorE5E5E5>`, `<v Roger>`), WebVTT inline timestamps and ASS overrides (`{\an8}`). */
const MARKUP = /<\/?[a-zA-Z][\w.-]*(?:\s[^<>]*)?\/?>|<\d{1,2}(?::\d{2}){1,2}[.,]\d{1,3}>|\{\\[^{}]*\}/g;

/** Control characters (except tab and newlines), zero-width space and byte-order marks. */
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g;

/**
 * Turns a raw cue into plain text: markup removed, entities decoded, escaped markup
 * (`&lt;i>`) removed too, whitespace collapsed. Text such as `a < b` or `<3` is kept.
 */
export function cleanCaptionText(raw: string): string {
  const decoded = decodeHtmlEntities(raw.replace(MARKUP, ''));
  return decoded.replace(MARKUP, '').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** Words a speaker says per minute, used to estimate times for untimed text. */
export const WORDS_PER_MINUTE = 150;
const MS_PER_WORD = 60_000 / WORDS_PER_MINUTE;

/** Counts words the way the 150-wpm estimate does (whitespace separated). */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

/** Estimated speaking time of `words` words at {@link WORDS_PER_MINUTE}, in milliseconds. */
export function estimateSpeakingMs(words: number): number {
  return Math.round(words * MS_PER_WORD);
}

/**
 * A segment with integer, non-negative times and clean text, or `undefined`
 * when the cue holds no text or its times are not numbers.
 */
export function makeSegment(startMs: number, durationMs: number, rawText: string): TranscriptSegment | undefined {
  if (!Number.isFinite(startMs) || !Number.isFinite(durationMs)) return undefined;
  const text = cleanCaptionText(rawText);
  if (text === '') return undefined;
  return { startMs: Math.max(0, Math.round(startMs)), durationMs: Math.max(0, Math.round(durationMs)), text };
}
