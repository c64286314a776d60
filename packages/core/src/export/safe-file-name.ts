import { Buffer } from 'node:buffer';
/** Options for {@link safeFileName}. */
export interface SafeFileNameOptions {
  /**
   * Most UTF-8 bytes the result may take. File systems allow 255 bytes (Linux, macOS) or
   * 255 UTF-16 units (Windows) per name; this leaves room for a prefix and an extension.
   * @default 100
   */
  maxBytes?: number;
  /**
   * Used when nothing usable is left of `name` (for example a title made only of `/` and dots).
   * It is itself made safe; `untitled` is the last resort.
   * @default 'untitled'
   */
  fallback?: string;
}

/** Characters Windows forbids in names, plus the path separators of every OS: separators become `-`, */
const SEPARATORS = /[/\\:|]+/g;
/** … the rest are dropped (`What is X?` -> `What is X`). */
const DROPPED = /[<>"?*]+/g;
/** Any space character (tabs, line breaks, no-break and ideographic spaces): becomes one space. */
const SPACES = /[\s\p{Z}]+/gu;
/**
 * Controls (C0, DEL, C1), format characters (bidi overrides, zero-width space, BOM) except
 * the joiners emoji and some scripts need (U+200C, U+200D), lone surrogates, private-use and
 * unassigned code points: dropped.
 */
const INVISIBLE = /(?:(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}])+/gu;
/** `..` and longer runs of dots. */
const DOTS = /\.{2,}/g;
/** Leading or trailing dots and spaces (Windows drops trailing ones; leading ones hide files). */
const EDGES = /^[. ]+|[. ]+$/g;
/** Windows device names, reserved whatever the extension (`CON`, `con.txt`, `COM1.md`, `LPT¹`, `CONIN$`). */
const RESERVED = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$|CLOCK\$) *(?:\.|$)/i;

/** Names longer than this (in UTF-16 units) are cut before any other work, bounding it. */
const MAX_INPUT_UNITS = 4096;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Bytes of `text` in UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes, as TextEncoder writes it), counted without encoding. */
function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, cut between graphemes when possible. */
function truncateBytes(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let result = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = utf8Length(segment);
    if (bytes + size > maxBytes) break;
    result += segment;
    bytes += size;
  }
  if (result !== '') return result;
  // A single grapheme longer than the limit (a letter under hundreds of combining marks): cut by code point.
  for (const codePoint of text) {
    const size = utf8Length(codePoint);
    if (bytes + size > maxBytes) break;
    result += codePoint;
    bytes += size;
  }
  return result;
}

function clean(name: string, maxBytes: number): string {
  let text = name.length > MAX_INPUT_UNITS ? name.slice(0, MAX_INPUT_UNITS) : name;
  text = text
    .normalize('NFC')
    .replace(SPACES, ' ')
    .replace(INVISIBLE, '')
    .replace(DROPPED, '')
    .replace(SEPARATORS, '-')
    .replace(SPACES, ' ')
    .normalize('NFC') // again: dropping an invisible character can bring a letter and its accent together
    .replace(DOTS, '.')
    .replace(EDGES, '');
  if (RESERVED.test(text)) text = `_${text}`;
  // Cutting can leave a trailing dot or space, or a reserved name (`CON something` -> `CON`).
  for (let round = 0; round < 3; round += 1) {
    text = truncateBytes(text, maxBytes).replace(EDGES, '');
    if (!RESERVED.test(text)) break;
    text = `_${text}`;
  }
  return text;
}

/**
 * Turns any text (a video title, typically) into a file name that is safe on Windows,
 * macOS and Linux: no path separators or `<>:"/\|?*` (`/ \ : |` become `-`, the others are dropped), no control or invisible characters,
 * no `..`, no leading or trailing dots and spaces, no Windows device names (`CON`,
 * `nul.txt`, `COM1`, …), NFC-normalized, at most `maxBytes` UTF-8 bytes and never cut
 * inside a character (nor, when avoidable, inside a grapheme such as an emoji sequence).
 * Never empty. Add the extension yourself.
 *
 * @example
 * safeFileName('../../etc/passwd') // '-.-etc-passwd'
 * safeFileName('Part 1: "Intro"?') // 'Part 1- Intro'
 * safeFileName('CON') // '_CON'
 */
export function safeFileName(name: string, options: SafeFileNameOptions = {}): string {
  const maxBytes = Math.max(8, Math.floor(options.maxBytes ?? 100));
  const text = clean(typeof name === 'string' ? name : String(name), maxBytes);
  if (text !== '') return text;
  const fallback = clean(options.fallback ?? 'untitled', maxBytes);
  return fallback === '' ? 'untitled' : fallback;
}
