import { ErrorCode, TubesumError, cancelledError, isTubesumError } from '../../errors.js';
import type { Transcript } from '../../transcripts/transcript-source.js';
import { chunkTranscript, transcriptLines, type TranscriptLine, type TranscriptWindow } from './chunk-transcript.js';
import { estimateTokens } from './estimate-tokens.js';
import { parseModelPartSummary, parseModelSummary } from './parse-model-summary.js';
import { priceOf, requestCostUsd, type PriceTable } from './prices.js';
import {
  CHAPTER_MIN_DURATION_MS,
  buildCombinePrompt,
  buildPartPrompt,
  buildSummaryPrompt,
  promptContext,
  type PartForCombine,
  type Prompt,
  type PromptContext,
} from './prompt.js';
import { renderSummaryMarkdown } from '../render-summary-markdown.js';
import { validateSummarizeInput } from '../summarize-input.js';
import type { Chapter, KeyPoint, SummarizeOptions, Summary } from '../summarizer.js';
import { timestampLabel } from '../../youtube-links.js';

/** One request to a chat model. */
export interface CompletionRequest extends Prompt {
  maxOutputTokens: number;
  signal: AbortSignal;
}

/** The model's answer and what it cost. */
export interface Completion {
  text: string;
  /** Every prompt token, cache reads and writes included. */
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those read from the provider's prompt cache. */
  cacheReadInputTokens?: number | undefined;
  /** Of `inputTokens`, those written to the provider's prompt cache. */
  cacheCreationInputTokens?: number | undefined;
  /** True when the request went through a provider batch, billed at the batch discount. */
  batch?: boolean | undefined;
  /** True when the answer stopped at `maxOutputTokens`. */
  truncated: boolean;
}

/** How a provider-specific summarizer plugs into the shared flow. */
export interface LanguageModelSettings {
  /** Named in error messages. */
  provider: string;
  model: string;
  /** Tokens the model accepts, prompt and answer together. */
  contextTokens: number;
  maxOutputTokens: number;
  /** Windows of a long transcript summarized at the same time. */
  chunkConcurrency: number;
  prices: PriceTable;
  /** Sends one request; throws a {@link TubesumError} already mapped to our codes. */
  complete(request: CompletionRequest): Promise<Completion>;
}

/** Our token estimate is rough; keep this share of the context for it to be wrong in. */
const CONTEXT_SAFETY = 0.9;
/** Below this many transcript tokens a window is not worth a request. */
const MIN_WINDOW_TOKENS = 200;

interface PartResult extends PartForCombine {
  ok: true;
}
interface PartFailure {
  ok: false;
  startMs: number;
  endMs: number;
  error: TubesumError;
}

/**
 * The flow shared by every LLM summarizer: one request when the transcript fits the
 * context, otherwise windows cut on timestamps summarized in parallel (bounded) and then
 * combined, with chapters. A request refused as too long is re-run on smaller windows;
 * nothing is ever truncated silently.
 */
export async function summarizeWithLanguageModel(transcript: Transcript, options: SummarizeOptions, settings: LanguageModelSettings): Promise<Summary> {
  validateSummarizeInput(transcript, options);
  const outer = options.signal;
  if (outer?.aborted) throw cancelledError(outer, transcript.videoId);
  const lines = transcriptLines(transcript.segments);
  if (lines.length === 0) {
    throw new TubesumError(ErrorCode.EMPTY_TRANSCRIPT, `The transcript of ${transcript.videoId} holds no text to summarize.`, {
      videoId: transcript.videoId,
    });
  }
  const durationMs = Math.max(
    (transcript.durationSeconds ?? 0) * 1000,
    ...transcript.segments.map((segment) => segment.startMs + Math.max(0, segment.durationMs)),
  );
  const context = promptContext(transcript, options, durationMs);
  const run = new Run(settings, outer, transcript.videoId);
  const usable = Math.floor(settings.contextTokens * CONTEXT_SAFETY) - settings.maxOutputTokens;

  try {
    let windowTokens = Number.POSITIVE_INFINITY;
    /** The provider's refusal of the whole prompt as too long, if it came to that. */
    let refusal: TubesumError | undefined;
    const whole = buildSummaryPrompt(lines, context);
    const wholeTokens = estimateTokens(whole.system + whole.user);
    if (wholeTokens <= usable) {
      try {
        const answer = await run.call(whole);
        const parsed = run.parse(answer, (text) => parseModelSummary(text, settings.provider));
        const keyPoints = uniquePoints(parsed.keyPoints.map((point) => ({ text: point.text, startMs: snap(point.seconds, lines) })));
        const chapters =
          durationMs >= CHAPTER_MIN_DURATION_MS && parsed.chapters && parsed.chapters.length > 0
            ? uniqueChapters(parsed.chapters.map((chapter) => ({ title: chapter.title, startMs: snap(chapter.seconds, lines), summary: chapter.summary })))
            : undefined;
        return run.summary(transcript, context, { tldr: parsed.tldr, keyPoints, chapters, failures: [] });
      } catch (error) {
        if (!isTubesumError(error, ErrorCode.CONTEXT_TOO_LONG)) throw error;
        refusal = error;
        // Halve: two windows, whatever the packing (each line costs its text and a timestamp).
        const costs = lines.map((line) => estimateTokens(line.text) + 4);
        windowTokens = Math.ceil(costs.reduce((sum, cost) => sum + cost, 0) / 2) + Math.max(...costs);
      }
    }

    const overhead = estimateTokens(buildPartPrompt([], context, { index: 0, count: 1, startMs: 0, endMs: 0 }).system) + 40;
    windowTokens = Math.min(windowTokens, usable - overhead);
    if (windowTokens < MIN_WINDOW_TOKENS && refusal !== undefined && usable - overhead >= MIN_WINDOW_TOKENS) {
      // A short prompt refused as too long: halves would be refused too. The provider's context is
      // smaller than the one we were told (Ollama's num_ctx, a gateway's limit); say so, in its words.
      throw new TubesumError(
        ErrorCode.CONTEXT_TOO_LONG,
        `${refusal.message} The prompt was only about ${wholeTokens} tokens of the ${settings.contextTokens} this summarizer was configured for: the model's real context is smaller; set the summarizer's context size (maxContextTokens, contextTokens) to match it.`,
        { videoId: transcript.videoId, retryable: false, cause: refusal, details: refusal.details },
      );
    }
    if (windowTokens < MIN_WINDOW_TOKENS) {
      throw new TubesumError(
        ErrorCode.INVALID_OPTIONS,
        `A context of ${settings.contextTokens} tokens with ${settings.maxOutputTokens} reserved for the answer leaves no room for the transcript of ${transcript.videoId}; raise the context size or lower maxOutputTokens.`,
        { videoId: transcript.videoId },
      );
    }
    const windows = chunkTranscript(lines, windowTokens, durationMs);
    const results = (await run.pool(windows, (window) => run.part(window, windows.length, context))).flat();
    const parts = results.filter((result): result is PartResult => result.ok);
    const failures = results.filter((result): result is PartFailure => !result.ok);
    if (parts.length === 0) throw failures[0]!.error;

    const combined = parts.length === 1 ? parts[0]! : await run.combine(parts, context, usable);
    const keyPoints = uniquePoints(combined.keyPoints.map((point) => ({ text: point.text, startMs: snap(point.startMs / 1000, lines) })));
    const chapters = parts.map((part, index) => ({
      title: part.title || `Part ${index + 1}`,
      startMs: part.startMs,
      summary: part.tldr,
    }));
    return run.summary(transcript, context, { tldr: combined.tldr, keyPoints, chapters, failures });
  } finally {
    run.dispose();
  }
}

/** State of one summarize call: usage, cost, and an abort that reaches every request in flight. */
class Run {
  readonly #settings: LanguageModelSettings;
  readonly #outer: AbortSignal | undefined;
  readonly #videoId: string;
  readonly #controller = new AbortController();
  readonly #onAbort = (): void => this.#controller.abort(this.#outer?.reason);
  #inputTokens = 0;
  #outputTokens = 0;
  #cacheReadInputTokens = 0;
  #cacheCreationInputTokens = 0;
  #batch = false;
  #costUsd: number | undefined = 0;

  constructor(settings: LanguageModelSettings, outer: AbortSignal | undefined, videoId: string) {
    this.#settings = settings;
    this.#outer = outer;
    this.#videoId = videoId;
    outer?.addEventListener('abort', this.#onAbort, { once: true });
  }

  dispose(): void {
    this.#outer?.removeEventListener('abort', this.#onAbort);
  }

  async call(prompt: Prompt): Promise<Completion> {
    if (this.#outer?.aborted) throw cancelledError(this.#outer, this.#videoId);
    if (this.#controller.signal.aborted) throw abortedByFailure();
    const answer = await this.#settings.complete({
      ...prompt,
      maxOutputTokens: this.#settings.maxOutputTokens,
      signal: this.#controller.signal,
    });
    this.#inputTokens += answer.inputTokens;
    this.#outputTokens += answer.outputTokens;
    this.#cacheReadInputTokens += answer.cacheReadInputTokens ?? 0;
    this.#cacheCreationInputTokens += answer.cacheCreationInputTokens ?? 0;
    if (answer.batch) this.#batch = true;
    const cost = requestCostUsd(priceOf(this.#settings.model, this.#settings.prices), answer, { batch: answer.batch });
    this.#costUsd = cost === undefined || this.#costUsd === undefined ? undefined : this.#costUsd + cost;
    return answer;
  }

  parse<T>(answer: Completion, parse: (text: string) => T): T {
    try {
      return parse(answer.text);
    } catch (error) {
      if (!answer.truncated || !isTubesumError(error)) throw error;
      throw new TubesumError(
        ErrorCode.PROVIDER_ERROR,
        `${this.#settings.provider} stopped its answer at maxOutputTokens (${this.#settings.maxOutputTokens}) before the summary was complete; raise maxOutputTokens.`,
        { videoId: this.#videoId, retryable: false, cause: error, details: { reason: 'max-output-tokens' } },
      );
    }
  }

  /** Runs `work` over `items`, at most `chunkConcurrency` at a time; the first thrown error stops the rest. */
  async pool<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < items.length) {
        const index = next;
        next += 1;
        try {
          results[index] = await work(items[index]!);
        } catch (error) {
          if (failure === undefined) {
            failure = { error };
            this.#controller.abort(error);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(items.length, this.#settings.chunkConcurrency) }, worker));
    if (failure !== undefined) {
      if (this.#outer?.aborted) throw cancelledError(this.#outer, this.#videoId);
      throw failure.error;
    }
    return results;
  }

  /** Summarizes one window; a window refused as too long is halved and both halves summarized. */
  async part(window: TranscriptWindow, count: number, context: PromptContext): Promise<(PartResult | PartFailure)[]> {
    const prompt = buildPartPrompt(window.lines, context, { index: window.index, count, startMs: window.startMs, endMs: window.endMs });
    try {
      const answer = await this.call(prompt);
      const parsed = this.parse(answer, (text) => parseModelPartSummary(text, this.#settings.provider));
      return [
        {
          ok: true,
          startMs: window.startMs,
          endMs: window.endMs,
          title: parsed.title,
          tldr: parsed.tldr,
          keyPoints: parsed.keyPoints.map((point) => ({ text: point.text, startMs: snap(point.seconds, window.lines) })),
        },
      ];
    } catch (error) {
      if (isTubesumError(error, ErrorCode.CONTEXT_TOO_LONG) && window.lines.length > 1) {
        const middle = Math.ceil(window.lines.length / 2);
        const halves = [window.lines.slice(0, middle), window.lines.slice(middle)];
        const results: (PartResult | PartFailure)[] = [];
        for (const [half, lines] of halves.entries()) {
          const startMs = lines[0]!.startMs;
          const endMs = half === 0 ? halves[1]![0]!.startMs : window.endMs;
          results.push(...(await this.part({ index: window.index, lines, startMs, endMs }, count, context)));
        }
        return results;
      }
      // A part the provider refuses for good is reported, not hidden: the summary is marked partial.
      if (isTubesumError(error, ErrorCode.PROVIDER_ERROR) && !error.retryable) {
        return [{ ok: false, startMs: window.startMs, endMs: window.endMs, error }];
      }
      throw error;
    }
  }

  /** Merges part summaries into one; too many to fit one request are merged in groups first. */
  async combine(parts: readonly PartForCombine[], context: PromptContext, usable: number): Promise<PartForCombine> {
    const prompt = buildCombinePrompt(parts, context);
    const span = { startMs: parts[0]!.startMs, endMs: parts[parts.length - 1]!.endMs };
    const groups = estimateTokens(prompt.system + prompt.user) <= usable ? [parts] : groupParts(parts, context, usable);
    if (groups.length > 1) {
      const merged: PartForCombine[] = [];
      for (const group of groups) merged.push(group.length === 1 ? group[0]! : await this.combine(group, context, usable));
      return this.combine(merged, context, usable);
    }
    const answer = await this.call(prompt);
    const parsed = this.parse(answer, (text) => parseModelSummary(text, this.#settings.provider));
    return {
      ...span,
      title: parts
        .map((part) => part.title)
        .filter(Boolean)
        .join(' / '),
      tldr: parsed.tldr,
      keyPoints: parsed.keyPoints.map((point) => ({ text: point.text, startMs: point.seconds * 1000 })),
    };
  }

  summary(
    transcript: Transcript,
    context: PromptContext,
    content: { tldr: string; keyPoints: KeyPoint[]; chapters: Chapter[] | undefined; failures: PartFailure[] },
  ): Summary {
    const partial = content.failures.length > 0;
    const partialNote = partial
      ? `${content.failures
          .map((failure) => `${timestampLabel(failure.startMs)}–${timestampLabel(failure.endMs)}`)
          .join(', ')} could not be summarized (${content.failures[0]!.error.message}).`
      : undefined;
    const body = {
      tldr: content.tldr,
      keyPoints: content.keyPoints,
      ...(content.chapters ? { chapters: content.chapters } : {}),
      ...(partial ? { partial: true } : {}),
    };
    return {
      ...body,
      markdown: renderSummaryMarkdown(transcript.videoId, body, { partialNote }),
      language: context.language,
      model: this.#settings.model,
      usage: {
        inputTokens: this.#inputTokens,
        outputTokens: this.#outputTokens,
        ...(this.#cacheReadInputTokens > 0 ? { cacheReadInputTokens: this.#cacheReadInputTokens } : {}),
        ...(this.#cacheCreationInputTokens > 0 ? { cacheCreationInputTokens: this.#cacheCreationInputTokens } : {}),
      },
      ...(this.#costUsd === undefined ? {} : { costUsd: this.#costUsd }),
      ...(this.#batch ? { batchApi: true } : {}),
    };
  }
}

function abortedByFailure(): TubesumError {
  return new TubesumError(ErrorCode.CANCELLED, 'Stopped because another part of the same summary failed.');
}

/** Packs part summaries into groups whose combine prompt fits, in order. */
function groupParts(parts: readonly PartForCombine[], context: PromptContext, usable: number): PartForCombine[][] {
  const groups: PartForCombine[][] = [];
  let current: PartForCombine[] = [];
  for (const part of parts) {
    const candidate = [...current, part];
    const prompt = buildCombinePrompt(candidate, context);
    if (current.length > 0 && estimateTokens(prompt.system + prompt.user) > usable) {
      groups.push(current);
      current = [part];
    } else {
      current = candidate;
    }
  }
  if (current.length > 0) groups.push(current);
  // Never loop: when nothing could be grouped, halve.
  if (groups.length === parts.length && parts.length > 2) {
    const middle = Math.ceil(parts.length / 2);
    return [parts.slice(0, middle), parts.slice(middle)];
  }
  return groups;
}

/** The start of the transcript line at or before `seconds`: every timestamp we publish is a real one. */
function snap(seconds: number, lines: readonly TranscriptLine[]): number {
  const ms = seconds * 1000;
  let best = lines[0]?.startMs ?? 0;
  for (const line of lines) {
    if (line.startMs <= ms + 999) best = line.startMs;
    else break;
  }
  return best;
}

function uniquePoints(points: KeyPoint[]): KeyPoint[] {
  const seen = new Set<string>();
  return points
    .filter((point) => {
      const key = point.text.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.startMs - b.startMs);
}

function uniqueChapters(chapters: Chapter[]): Chapter[] {
  const sorted = [...chapters].sort((a, b) => a.startMs - b.startMs);
  return sorted.filter((chapter, index) => index === 0 || chapter.startMs !== sorted[index - 1]!.startMs);
}
