import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { checkEntry, entrySchema, isExportEntry } from '../../src/export/validate-export.js';

/** A small deterministic generator (the same entries every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const BAD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  '',
  'x',
  'done',
  true,
  [],
  {},
  [{}],
  new Date(0),
  new Map(),
];

/** A valid entry, with or without its optional parts. */
function validEntry(next: () => number, index: number): Record<string, unknown> {
  const item: Record<string, unknown> = {
    index,
    videoId: `v${index}`,
    url: `https://youtu.be/v${index}`,
    input: `v${index}`,
    status: ['pending', 'running', 'done', 'failed', 'cancelled'][Math.floor(next() * 5)],
    title: next() < 0.5 ? 'A title' : undefined,
  };
  if (next() < 0.5) item.costUsd = next() < 0.5 ? 0 : 0.25;
  const entry: Record<string, unknown> = { item };
  if (next() < 0.7) {
    const time = () => (next() < 0.1 ? Number.NaN : Math.floor(next() * 100_000));
    const summary: Record<string, unknown> = {
      tldr: 'Short.',
      markdown: '# Title',
      language: 'en',
      model: 'fake',
      keyPoints: Array.from({ length: Math.floor(next() * 3) }, () => ({ text: 'point', startMs: time() })),
    };
    if (next() < 0.5) summary.chapters = Array.from({ length: Math.floor(next() * 3) }, () => ({ title: 'chapter', startMs: time(), summary: 'about' }));
    entry.summary = { transcriptLanguage: 'en', createdAt: '2026-01-01T00:00:00.000Z', summary };
  }
  return entry;
}

/** Every path to a value inside `value` (objects and arrays), as lists of keys. */
function paths(value: unknown, prefix: PropertyKey[] = []): PropertyKey[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...paths((value as Record<string, unknown>)[key], path)];
  });
}

/** `entry` with the value at `path` replaced by `bad`. */
function withValue(entry: unknown, path: PropertyKey[], bad: unknown): unknown {
  const copy = structuredClone(entry) as Record<PropertyKey, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<PropertyKey, unknown>;
  at[path.at(-1)!] = bad;
  return copy;
}

describe('isExportEntry (the hand-written check of export entries)', () => {
  it('accepts every valid entry, as the schema does', () => {
    const next = random(3);
    for (let index = 0; index < 500; index += 1) {
      const entry = validEntry(next, index);
      expect(entrySchema.safeParse(entry).success).toBe(true);
      expect(isExportEntry(entry)).toBe(true);
    }
  });

  it('is never looser than the schema: no entry with a bad value passes it that the schema would reject', () => {
    const next = random(5);
    let rejectedBoth = 0;
    for (let index = 0; index < 300; index += 1) {
      const entry = validEntry(next, index);
      for (const path of [[], ...paths(entry)]) {
        for (const bad of BAD_VALUES) {
          const changed = path.length === 0 ? bad : withValue(entry, path, bad);
          if (isExportEntry(changed)) expect(entrySchema.safeParse(changed).success, `${path.join('.')} = ${String(bad)}`).toBe(true);
          else if (!entrySchema.safeParse(changed).success) rejectedBoth += 1;
        }
      }
    }
    // The generator does reach bad entries (not a test of nothing).
    expect(rejectedBoth).toBeGreaterThan(10_000);
  });

  it('checkEntry names the bad field through the schema', () => {
    const entry = validEntry(random(9), 0);
    expect(() => checkEntry(withValue(entry, ['item', 'videoId'], 42), 'entries[7]')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: 'Expected `entries[7].item.videoId` to be a string, got `42`' }),
    );
    expect(() => checkEntry(entry, 'entries[0]')).not.toThrow();
  });
});
