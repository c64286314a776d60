import { describe, expect, it } from 'vitest';
import { retryAfterMsFrom } from '../../src/internal/retry-after.js';

describe('retryAfterMsFrom', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each<[string, Record<string, string> | undefined, number | undefined]>([
    ['no headers', undefined, undefined],
    ['neither header', {}, undefined],
    ['seconds', { 'retry-after': '3' }, 3000],
    ['fractional seconds, rounded up', { 'retry-after': '0.0015' }, 2],
    ['padded seconds', { 'retry-after': ' 2 ' }, 2000],
    ['milliseconds first', { 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    ['fractional milliseconds, rounded up', { 'retry-after-ms': '250.2' }, 251],
    ['zero milliseconds', { 'retry-after-ms': '0' }, 0],
    ['negative milliseconds fall back', { 'retry-after-ms': '-5', 'retry-after': '1' }, 1000],
    ['unreadable milliseconds fall back', { 'retry-after-ms': 'soon', 'retry-after': '1' }, 1000],
    ['blank milliseconds fall back', { 'retry-after-ms': ' ', 'retry-after': '1' }, 1000],
    ['empty retry-after', { 'retry-after': '' }, undefined],
    ['HTTP date', { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 5000],
    ['HTTP date in the past', { 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, 0],
    ['garbage', { 'retry-after': 'later' }, undefined],
    ['two-digit seconds', { 'retry-after': '30' }, 30_000],
    ['letters before the number', { 'retry-after': 'a5' }, undefined],
    ['a unit after the number', { 'retry-after': '5s' }, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(retryAfterMsFrom(headers === undefined ? undefined : new Headers(headers), now)).toBe(expected);
  });

  it('counts from now by default', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const wait = retryAfterMsFrom(new Headers({ 'retry-after': inTenSeconds }));
    expect(wait).toBeGreaterThan(8000);
    expect(wait).toBeLessThanOrEqual(10_000);
  });
});
