import { Buffer } from 'node:buffer';
import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { deserializeKeyvText, mayHoldLeadingColonString } from '../../src/storage/keyv-deserialize.js';

// Keyv's own default pair (`@keyv/serialize`), the reference the fast reader must match.
const reference = new Keyv();
const serialize = (value: unknown) => reference.serialize!(value as Parameters<NonNullable<typeof reference.serialize>>[0]) as string;
const deserialize = (text: string) => reference.deserialize!(text) as unknown;

/** A small deterministic generator of JSON-like values full of the strings the reviver changes. */
function* values(seed: number, count: number): Generator<unknown> {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const strings = [':', '::', ':x', '::x', ':base64:aGVsbG8=', 'a:', 'a:b', '"', '\\', '\\":', ',":', '[":', 'plain', '', ' : ', 'ü:', '\n:'];
  const value = (depth: number): unknown => {
    const pick = next();
    if (depth > 3 || pick < 0.45) return strings[Math.floor(next() * strings.length)];
    if (pick < 0.55) return Math.floor(next() * 1000) - 500;
    if (pick < 0.6) return next() < 0.5;
    if (pick < 0.65) return null;
    if (pick < 0.7) return Buffer.from(`bytes ${Math.floor(next() * 100)}`);
    if (pick < 0.85) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [strings[Math.floor(next() * strings.length)]!, value(depth + 1)]));
  };
  for (let index = 0; index < count; index += 1) yield { value: value(0), expires: next() < 0.5 ? undefined : 1_700_000_000_000 };
}

describe('deserializeKeyvText', () => {
  it("reads exactly what Keyv's default deserializer reads, for what Keyv's default serializer wrote", () => {
    for (const value of values(7, 3000)) {
      const text = serialize(value);
      expect(deserializeKeyvText(text)).toEqual(deserialize(text));
    }
  });

  it('also for the same documents printed with whitespace (PostgreSQL jsonb prints `": "`)', () => {
    for (const value of values(11, 1000)) {
      const text = JSON.stringify(JSON.parse(serialize(value)), null, 1);
      expect(deserializeKeyvText(text)).toEqual(deserialize(text));
    }
  });

  it('undoes the escape of a leading colon and restores Buffers, at any depth', () => {
    const text = serialize({ value: { a: ':x', list: [':y', 'z:', Buffer.from('hi')], deep: [{ b: '::' }] } });
    expect(deserializeKeyvText(text)).toEqual({ value: { a: ':x', list: [':y', 'z:', Buffer.from('hi')], deep: [{ b: '::' }] } });
    expect(deserializeKeyvText(serialize(':top'))).toBe(':top');
  });

  it('takes the fast path for documents without such strings', () => {
    const text = serialize({ value: { title: 'a: b', markdown: 'Key points: one, two', list: ['x', 'y:'], quote: 'say \\":' } });
    expect(mayHoldLeadingColonString(text)).toBe(false);
    expect(deserializeKeyvText(text)).toEqual(JSON.parse(text));
  });

  it('finds a string value starting with `:` wherever JSON can put one', () => {
    const found = ['":x"', ' \t\r\n"::x"', '{"a":"::x"}', '{"a": \n "::x"}', '["::x"]', '[1,"::x"]', '[1 , "::x"]', '{"a":[{"b":"::"}]}'];
    for (const text of found) expect(mayHoldLeadingColonString(text), text).toBe(true);
    // Never a string value that starts with `:`; the last two are keys ending in `:` or `,`, taken the slow way to be safe.
    const absent = ['"x:"', '{"a":"x"}', '{"a":"b\\":c"}', '{"a:b":1}', '[]', '', '{"a":1}'];
    for (const text of absent) expect(mayHoldLeadingColonString(text), text).toBe(false);
    expect(mayHoldLeadingColonString('{"a:":1}')).toBe(true);
    expect(mayHoldLeadingColonString('{"a,":1}')).toBe(true);
  });
});
