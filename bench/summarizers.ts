// Summarizer benchmarks, run by bench/run.ts: tokens the LLM summarizers send per transcript
// token (whole and chunked), and the offline summarizer's time on a one-hour transcript.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnthropicSummarizer, BatchProcessor, ExtractiveSummarizer, createSqliteStore } from '@tubesum/core';
import { FakeTranscriptSource } from '@tubesum/core/testing';
import { splitSentences } from '../packages/core/src/summarizers/split-sentences.js';
import { countTokens, startFakeAnthropicServer } from '@tubesum/test-support';
import { generateTranscript } from '../packages/core/test/summarizers/generate-transcript.js';
import { round } from './types.js';
import type { BenchResult } from './types.js';

export async function runSummarizerBenchmarks(): Promise<BenchResult[]> {
  return [...(await inputTokenBenchmarks()), await rerunBenchmark(), await extractiveBenchmark()];
}

/**
 * A one-hour transcript (~9,000 words, 1,500 caption segments) sent to the fake Anthropic
 * server, which counts tokens as characters / 4 for prompts and raw transcript alike.
 */
async function inputTokenBenchmarks(): Promise<BenchResult[]> {
  const transcript = generateTranscript();
  const transcriptTokens = countTokens(transcript.segments.map((segment) => segment.text).join(' '));
  const server = await startFakeAnthropicServer();
  try {
    const measure = async (options: ConstructorParameters<typeof AnthropicSummarizer>[0]) => {
      server.reset();
      await new AnthropicSummarizer({ apiKey: 'bench', baseURL: server.url, ...options }).summarize(transcript);
      return {
        inputTokens: server.requests.reduce((sum, request) => sum + request.inputTokens, 0),
        requests: server.requests.length,
      };
    };
    const whole = await measure({});
    const chunked = await measure({ maxContextTokens: 8192, maxOutputTokens: 1024 });
    return [
      {
        name: 'llm-input-tokens-per-transcript-token',
        value: whole.inputTokens,
        unit: 'tokens',
        baseline: transcriptTokens,
        ratio: round(whole.inputTokens / transcriptTokens),
        target: '<= 1.15',
        note: `1-hour transcript in ${whole.requests} request(s); tokens counted as chars/4 on both sides`,
      },
      {
        name: 'llm-input-tokens-per-transcript-token-chunked',
        value: chunked.inputTokens,
        unit: 'tokens',
        baseline: transcriptTokens,
        ratio: round(chunked.inputTokens / transcriptTokens),
        target: '<= 1.35',
        note: `8k-token context (1k reserved for the answer): ${chunked.requests} requests, windows + combine`,
      },
    ];
  } finally {
    await server.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Offline summary of a one-hour transcript against merely splitting it into sentences. */
async function extractiveBenchmark(): Promise<BenchResult> {
  const transcript = generateTranscript();
  const summarizer = new ExtractiveSummarizer();
  await summarizer.summarize(transcript); // warm-up
  splitSentences(transcript.segments);
  const summarize: number[] = [];
  const split: number[] = [];
  for (let run = 0; run < 9; run += 1) {
    let start = performance.now();
    await summarizer.summarize(transcript);
    summarize.push(performance.now() - start);
    start = performance.now();
    splitSentences(transcript.segments);
    split.push(performance.now() - start);
  }
  const value = median(summarize);
  const baseline = median(split);
  return {
    name: 'extractive-1h-ms',
    value: round(value, 1),
    unit: 'ms',
    baseline: round(baseline, 2),
    ratio: round(value / baseline, 1),
    target: 'report',
    note: `median of 9 runs, ${transcript.segments.length} segments, ${splitSentences(transcript.segments).length} sentences; goal: well under 1000 ms (${value < 1000 ? 'met' : 'NOT met'})`,
  };
}

/**
 * The same 20 videos summarized twice through BatchProcessor, AnthropicSummarizer and the
 * fake Anthropic server, on SQLite: the second batch must make no request at all.
 */
async function rerunBenchmark(): Promise<BenchResult> {
  const server = await startFakeAnthropicServer();
  const directory = mkdtempSync(join(tmpdir(), 'tubesum-rerun-'));
  const store = createSqliteStore({ path: join(directory, 'store.sqlite') });
  const processor = new BatchProcessor({
    store,
    transcripts: new FakeTranscriptSource({ segments: 40 }),
    summarizer: new AnthropicSummarizer({ apiKey: 'bench', baseURL: server.url }),
  });
  try {
    const urls = Array.from({ length: 20 }, (_, index) => `https://youtu.be/r${String(index).padStart(10, '0')}`);
    const run = async (userId: string) => {
      const before = server.requests.length;
      const job = await processor.submit({ userId, urls });
      const ended = await processor.waitFor(job.id, job);
      if (ended.counts.done !== urls.length) throw new Error(`rerun benchmark: only ${ended.counts.done} of 20 done`);
      return server.requests.length - before;
    };
    const first = await run('first');
    const second = await run('second');
    return {
      name: 'rerun-llm-calls',
      value: second,
      unit: 'calls',
      baseline: first,
      ratio: round(second / first),
      target: '== 0',
      note: `first run: ${first} LLM calls for 20 videos; second run of the same videos: ${second}`,
    };
  } finally {
    await processor.close();
    await store.close?.();
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
