import { describe, expect, it } from 'vitest';
import { escapeInline, oneLine, prose } from '../../src/internal/markdown-text.js';

/** Collapsing every whitespace run, as oneLine did before its fast path: the reference. */
const reference = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('oneLine', () => {
  it('gives what collapsing every whitespace run gives, for texts of spaces, line breaks and other Unicode whitespace', () => {
    const alphabet = ['a', 'b', ' ', ' ', '\n', '\t', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', 'é', '<'];
    let state = 17;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let count = 0; count < 20_000; count += 1) {
      const text = Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      expect(oneLine(text), JSON.stringify(text)).toBe(reference(text));
    }
  });

  it('keeps single spaces, and what escapeInline and prose build on it', () => {
    expect(oneLine(' Key points: one, two ')).toBe('Key points: one, two');
    expect(oneLine('a\u00a0b  c\nd')).toBe('a b c d');
    expect(escapeInline('a  *b*\n[c]')).toBe('a \\*b\\* \\[c\\]');
    expect(prose('<b>x</b>\n\ny')).toBe('\\<b\\>x\\</b\\> y');
  });
});
