/** What a model costs, in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /**
   * A higher rate that applies to every token of a request whose prompt is longer than
   * `thresholdTokens` (Claude Haiku 5.5 bills long prompts this way).
   */
  longPrompt?: { thresholdTokens: number; inputPerMillion: number; outputPerMillion: number } | undefined;
}

/** Prices by model id. Pass your own in `prices` to correct or extend them. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Anthropic list prices (USD per million tokens, standard tier, no caching, no batch
 * discount) as published on platform.claude.com when this was written. Check them again;
 * override or extend with the `prices` option. Dated ids (`claude-haiku-4-5-20251001`)
 * fall back to their alias.
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  'claude-haiku-5-5': {
    inputPerMillion: 0.1,
    outputPerMillion: 0.5,
    longPrompt: { thresholdTokens: 100_000, inputPerMillion: 0.5, outputPerMillion: 2.5 },
  },
  'claude-sonnet-5-5': { inputPerMillion: 2, outputPerMillion: 10 },
  'claude-opus-5-5': { inputPerMillion: 4, outputPerMillion: 20 },
  'claude-fable-5-1': { inputPerMillion: 10, outputPerMillion: 50 },
  'claude-sonnet-5': { inputPerMillion: 2, outputPerMillion: 10 },
  'claude-opus-5': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-opus-4-8': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-opus-4-7': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-opus-4-6': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-opus-4-5': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-sonnet-4-6': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
  'claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75 },
  'claude-opus-4-0': { inputPerMillion: 15, outputPerMillion: 75 },
  'claude-sonnet-4-0': { inputPerMillion: 3, outputPerMillion: 15 },
});

/** The price of `model` in `prices`, trying the id without a `-YYYYMMDD` date suffix too. */
export function priceOf(model: string, prices: PriceTable): ModelPrice | undefined {
  const own = (id: string) => (Object.hasOwn(prices, id) ? prices[id] : undefined);
  return own(model) ?? own(model.replace(/-\d{8}$/, ''));
}

/** The cost of one request in US dollars, or undefined when the model has no price. */
export function requestCostUsd(price: ModelPrice | undefined, inputTokens: number, outputTokens: number): number | undefined {
  if (!price) return undefined;
  const rate = price.longPrompt && inputTokens > price.longPrompt.thresholdTokens ? price.longPrompt : price;
  return (inputTokens * rate.inputPerMillion + outputTokens * rate.outputPerMillion) / 1_000_000;
}
