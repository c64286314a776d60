/** What a model costs, in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /**
   * A higher rate that applies to every token of a request whose prompt is longer than
   * `thresholdTokens` (Claude Haiku 5.5 bills long prompts this way).
   */
  longPrompt?: { thresholdTokens: number; inputPerMillion: number; outputPerMillion: number } | undefined;
  /**
   * Prompt-cache reads, per million tokens.
   * @default 0.1 × the input price (Anthropic's rate for most models)
   */
  cacheReadPerMillion?: number | undefined;
  /**
   * Prompt-cache writes (five-minute cache), per million tokens.
   * @default 1.25 × the input price
   */
  cacheWritePerMillion?: number | undefined;
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

/** The Message Batches API bills every token, cache reads and writes included, at this share of the list price. */
export const BATCH_PRICE_FACTOR = 0.5;

/** Tokens of one request, as the provider's `usage` reports them. */
export interface RequestTokens {
  /** Every prompt token, cached or not. */
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those read from the prompt cache. */
  cacheReadInputTokens?: number | undefined;
  /** Of `inputTokens`, those written to the prompt cache. */
  cacheCreationInputTokens?: number | undefined;
}

/**
 * The cost of one request in US dollars, or undefined when the model has no price. Cache reads and
 * writes are billed at their own rates, and a request sent in a Message Batch (`batch: true`) at
 * {@link BATCH_PRICE_FACTOR} of it all.
 */
export function requestCostUsd(price: ModelPrice | undefined, tokens: RequestTokens, options: { batch?: boolean | undefined } = {}): number | undefined {
  if (!price) return undefined;
  const long = price.longPrompt && tokens.inputTokens > price.longPrompt.thresholdTokens ? price.longPrompt : undefined;
  const rate = long ?? price;
  const cacheRead = tokens.cacheReadInputTokens ?? 0;
  const cacheWrite = tokens.cacheCreationInputTokens ?? 0;
  const plain = Math.max(0, tokens.inputTokens - cacheRead - cacheWrite);
  const readRate = long ? rate.inputPerMillion * 0.1 : (price.cacheReadPerMillion ?? price.inputPerMillion * 0.1);
  const writeRate = long ? rate.inputPerMillion * 1.25 : (price.cacheWritePerMillion ?? price.inputPerMillion * 1.25);
  const list = plain * rate.inputPerMillion + cacheRead * readRate + cacheWrite * writeRate + tokens.outputTokens * rate.outputPerMillion;
  return ((options.batch ? BATCH_PRICE_FACTOR : 1) * list) / 1_000_000;
}

/**
 * The shortest prefix each model caches, in tokens (Anthropic's prompt-caching page); a shorter
 * one is silently not cached. Models not listed are assumed to need {@link DEFAULT_PROMPT_CACHE_MIN_TOKENS}.
 */
export const PROMPT_CACHE_MIN_TOKENS: Readonly<Record<string, number>> = Object.freeze({
  'claude-haiku-4-5': 4096,
  'claude-opus-4-5': 4096,
  'claude-opus-4-6': 4096,
  'claude-opus-4-7': 2048,
  'claude-sonnet-4-6': 2048,
  'claude-sonnet-4-5': 1024,
  'claude-opus-4-8': 1024,
  'claude-opus-4-1': 1024,
  'claude-opus-4-0': 1024,
  'claude-sonnet-4-0': 1024,
  'claude-sonnet-5': 1024,
  'claude-opus-5': 512,
});

/** The cautious minimum for a model whose own is not known. */
export const DEFAULT_PROMPT_CACHE_MIN_TOKENS = 4096;

/** The shortest prefix `model` caches, trying its id without a date suffix too. */
export function promptCacheMinTokens(model: string): number {
  const own = (id: string) => (Object.hasOwn(PROMPT_CACHE_MIN_TOKENS, id) ? PROMPT_CACHE_MIN_TOKENS[id] : undefined);
  return own(model) ?? own(model.replace(/-\d{8}$/, '')) ?? DEFAULT_PROMPT_CACHE_MIN_TOKENS;
}

/** A price for people: `$0.0042` below a dollar (four decimals), `$12.35` above. */
export function formatUsd(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return '$0';
  return value < 1 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}
