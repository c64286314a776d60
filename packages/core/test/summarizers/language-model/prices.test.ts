import { describe, expect, it } from 'vitest';
import { BATCH_PRICE_FACTOR, DEFAULT_PRICES, formatUsd, promptCacheMinTokens, requestCostUsd } from '@tubesum/core';
import { priceOf } from '../../../src/summarizers/language-model/prices.js';

describe('priceOf', () => {
  it('finds a model by id or by its dated id', () => {
    expect(priceOf('claude-haiku-4-5', DEFAULT_PRICES)).toEqual({ inputPerMillion: 1, outputPerMillion: 5 });
    expect(priceOf('claude-haiku-4-5-20251001', DEFAULT_PRICES)).toEqual({ inputPerMillion: 1, outputPerMillion: 5 });
  });

  it('knows no price for an unknown model, even one named like an Object property', () => {
    for (const model of ['llama3.1', 'constructor', '__proto__', 'toString']) expect(priceOf(model, DEFAULT_PRICES)).toBeUndefined();
  });
});

describe('requestCostUsd', () => {
  const haiku = DEFAULT_PRICES['claude-haiku-4-5']!;

  it('bills input and output at list price, and everything at half in a Message Batch', () => {
    expect(requestCostUsd(haiku, { inputTokens: 1_000_000, outputTokens: 100_000 })).toBeCloseTo(1 + 0.5, 12);
    expect(requestCostUsd(haiku, { inputTokens: 1_000_000, outputTokens: 100_000 }, { batch: true })).toBeCloseTo((1 + 0.5) * BATCH_PRICE_FACTOR, 12);
  });

  it('bills prompt-cache reads at a tenth and writes at 1.25 times the input price, unless the model says otherwise', () => {
    const tokens = { inputTokens: 1_000_000, outputTokens: 0, cacheReadInputTokens: 600_000, cacheCreationInputTokens: 200_000 };
    expect(requestCostUsd(haiku, tokens)).toBeCloseTo(0.2 * 1 + 0.6 * 0.1 + 0.2 * 1.25, 12);
    expect(requestCostUsd({ ...haiku, cacheReadPerMillion: 0.05 }, tokens)).toBeCloseTo(0.2 + 0.6 * 0.05 + 0.2 * 1.25, 12);
    expect(requestCostUsd(haiku, tokens, { batch: true })).toBeCloseTo(0.5 * (0.2 + 0.06 + 0.25), 12);
  });

  it('applies the long-prompt rate above its threshold, and knows no cost without a price', () => {
    const long = DEFAULT_PRICES['claude-haiku-5-5']!;
    expect(requestCostUsd(long, { inputTokens: 200_000, outputTokens: 0 })).toBeCloseTo(0.2 * 0.5, 12);
    expect(requestCostUsd(undefined, { inputTokens: 1, outputTokens: 1 })).toBeUndefined();
  });
});

describe('promptCacheMinTokens and formatUsd', () => {
  it('knows each model family minimum, 4,096 for Haiku 4.5 and for an unknown model', () => {
    expect(promptCacheMinTokens('claude-haiku-4-5-20251001')).toBe(4096);
    expect(promptCacheMinTokens('claude-sonnet-4-5')).toBe(1024);
    expect(promptCacheMinTokens('some-new-model')).toBe(4096);
  });

  it('shows small prices with four decimals and large ones with two', () => {
    expect([formatUsd(0), formatUsd(0.00423), formatUsd(12.345), formatUsd(Number.NaN)]).toEqual(['$0', '$0.0042', '$12.35', '$0']);
  });
});
