import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '@tubesum/core';
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
