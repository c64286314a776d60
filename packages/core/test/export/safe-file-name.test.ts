import { describe, expect, it, vi } from 'vitest';
import { safeFileName } from '../../src/export/safe-file-name.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;

/** What every result must satisfy, on every OS. */
function expectSafe(name: string, maxBytes = 100): void {
  expect(name.length).toBeGreaterThan(0);
  expect(bytes(name)).toBeLessThanOrEqual(maxBytes);
  expect(name).not.toMatch(/[<>:"/\\|?*]/);
  expect(name).not.toMatch(/[\p{Cc}\p{Cs}]/u);
  expect(name).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B\uFEFF]/);
  expect(name).not.toMatch(/\.\./);
  expect(name).not.toMatch(/^[. ]|[. ]$/);
  expect(name).not.toMatch(/^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]) *(\.|$)/i);
  expect(name).toBe(name.normalize('NFC'));
  // Well-formed UTF-16: a round trip through UTF-8 changes nothing.
  expect(new TextDecoder().decode(new TextEncoder().encode(name))).toBe(name);
}

describe('safeFileName', () => {
  it.each([
    ['plain title', 'My talk about Rust', 'My talk about Rust'],
    ['path traversal', '../../etc/passwd', '-.-etc-passwd'],
    ['Windows traversal', '..\\..\\Windows\\System32', '-.-Windows-System32'],
    ['colon and quotes', 'Part 1: "Intro"?', 'Part 1- Intro'],
    ['all forbidden characters', 'a<b>c:d"e/f\\g|h?i*j', 'abc-de-f-g-hij'],
    ['CON', 'CON', '_CON'],
    ['con with extension', 'con.txt', '_con.txt'],
    ['NUL with space before extension', 'NUL .md', '_NUL .md'],
    ['COM1', 'COM1', '_COM1'],
    ['LPT superscript', 'LPT¹', '_LPT¹'],
    ['CONOUT$', 'CONOUT$', '_CONOUT$'],
    ['reserved word inside a title is fine', 'CON artists', 'CON artists'],
    ['leading and trailing dots and spaces', ' ..hidden. ', 'hidden'],
    ['newlines and tabs', '@everyone\nline two\tthree', '@everyone line two three'],
    ['runs of spaces', 'a \t\n\u00a0 b', 'a b'],
    ['control characters', 'a\u0000b\u0007c\u009f', 'abc'],
    ['bidi override', 'evil\u202Egnp.exe', 'evilgnp.exe'],
    ['emoji family sequence', '👨‍👩‍👧 family', '👨‍👩‍👧 family'],
    ['NFD input becomes NFC', 'Cafe\u0301', 'Caf\u00e9'],
    ['only separators', '///', '-'],
  ])('%s', (_name, input, expected) => {
    expect(safeFileName(input)).toBe(expected);
    expectSafe(safeFileName(input));
  });

  it('falls back when nothing usable is left', () => {
    expect(safeFileName(' ... ')).toBe('untitled');
    expect(safeFileName('\u0000\u202E', { fallback: 'dQw4w9WgXcQ' })).toBe('dQw4w9WgXcQ');
    expect(safeFileName('..', { fallback: '..' })).toBe('untitled');
  });

  it('bounds a 500-character title to maxBytes', () => {
    expect(safeFileName('a'.repeat(500))).toBe('a'.repeat(100));
    expect(safeFileName('b'.repeat(500), { maxBytes: 40 })).toBe('b'.repeat(40));
  });

  it('counts UTF-8 bytes and never cuts a character or an emoji in half', () => {
    const japanese = safeFileName('日本語のタイトル'.repeat(20)); // 3 bytes each
    expect(bytes(japanese)).toBe(99);
    const emoji = safeFileName('😀'.repeat(100)); // 4 bytes, a surrogate pair each
    expect(emoji).toBe('😀'.repeat(25));
    const families = safeFileName('👨‍👩‍👧'.repeat(10), { maxBytes: 40 }); // 18 bytes per family
    expect(families).toBe('👨‍👩‍👧'.repeat(2));
  });

  it('does not end on a dot, a space or a reserved name after cutting', () => {
    expect(safeFileName(`${'a'.repeat(99)} b`)).toBe('a'.repeat(99));
    expect(safeFileName(`${'a'.repeat(99)}.b`)).toBe('a'.repeat(99));
    expect(safeFileName('CON xxxxxxxxx', { maxBytes: 8 })).toBe('CON xxxx');
    expect(safeFileName('CON e\u0301\u0301\u0301', { maxBytes: 8 })).toBe('_CON');
  });

  it('cuts a grapheme longer than the limit by code point', () => {
    const zalgo = `e${'\u0301'.repeat(300)}`;
    const result = safeFileName(zalgo);
    expect(result.startsWith('é')).toBe(true);
    expectSafe(result);
  });

  it('cuts a 10 MB title to a bounded prefix before any costly work, and the result is safe', () => {
    // Bounded work shown without a clock: Unicode normalization (the costly pass) only ever
    // sees the first 4096 UTF-16 units. How fast it runs is a benchmark's business.
    const lengths: number[] = [];
    const normalize = String.prototype.normalize;
    vi.spyOn(String.prototype, 'normalize').mockImplementation(function (this: string, form?: string) {
      lengths.push(this.length);
      return normalize.call(this, form);
    });
    let result: string;
    try {
      result = safeFileName('x/'.repeat(5_000_000));
    } finally {
      vi.restoreAllMocks();
    }
    expectSafe(result);
    expect(result).toBe('x-'.repeat(50));
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(4096);
  });

  it('fills maxBytes exactly when a cut by code point lands on it', () => {
    // NFC: é (2 bytes) then combining acutes (2 bytes each): 10 bytes is é and four of them.
    expect(bytes(safeFileName(`e${'\u0301'.repeat(300)}`, { maxBytes: 10 }))).toBe(10);
  });

  it('strips runs of dots and spaces at both ends, not just one character', () => {
    expect(safeFileName(' . . x . . .')).toBe('x');
  });

  it('turns a non-string from JavaScript callers into text', () => {
    expect(safeFileName(42 as unknown as string)).toBe('42');
  });

  it('is always safe: a few thousand random strings', () => {
    let seed = 20260131;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pools = [
      '<>:"/\\|?*. ',
      'abcXYZ019-_',
      '\u0000\u0001\u001f\u007f\u0085\u200b\u200d\u202e\u2028\ufeff\t\n\r',
      'éüñß日本語😀👨‍👩‍👧\u0301',
      '\ud800\udc00\udbff',
      'CONPRNAUXNULCOM1LPT9¹',
    ];
    for (let round = 0; round < 3000; round += 1) {
      const length = Math.floor(random() * 160);
      let text = '';
      for (let index = 0; index < length; index += 1) {
        const pool = pools[Math.floor(random() * pools.length)] as string;
        text += pool[Math.floor(random() * pool.length)];
      }
      if (random() < 0.05) text = ['CON', 'nul.txt', 'com1.md', 'LPT3 ', '..', '.'][round % 6] as string;
      const maxBytes = random() < 0.5 ? 100 : 8 + Math.floor(random() * 60);
      expectSafe(safeFileName(text, { maxBytes }), maxBytes);
    }
  });
});
