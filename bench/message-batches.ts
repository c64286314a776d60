// Message Batches benchmarks, run by bench/run.ts: what batch mode costs against request mode for
// the same transcripts, and the memory of a process while a batch's results stream in.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnthropicSummarizer, createMemoryStore } from '@tubesum/core';
import type { Summary } from '@tubesum/core';
import { startFakeAnthropicServer } from '../packages/test-support/src/fake-anthropic-server.js';
import { generateTranscript } from '../packages/core/test/summarizers/generate-transcript.js';
import type { ResultsScenario } from './message-batches-scenario.js';
import { round } from './types.js';
import type { BenchResult } from './types.js';

const script = fileURLToPath(new URL('./message-batches-scenario.ts', import.meta.url));

export async function runMessageBatchBenchmarks(log: (line: string) => void): Promise<BenchResult[]> {
  return [await costRatio(log), ...(await resultsRss(log))];
}

/** 100 one-hour transcripts summarized in request mode, then in batch mode; cost from the tokens each run reports. */
async function costRatio(log: (line: string) => void): Promise<BenchResult> {
  const server = await startFakeAnthropicServer();
  try {
    const transcripts = Array.from({ length: 100 }, (_, index) => ({
      ...generateTranscript({ seed: index + 1, videoId: `b${String(index).padStart(10, '0')}` }),
      title: `Talk ${index + 1}`,
    }));
    const total = (summaries: Summary[]) => summaries.reduce((sum, summary) => sum + (summary.costUsd ?? Number.NaN), 0);
    const tokens = (summaries: Summary[]) => summaries.reduce((sum, summary) => sum + summary.usage.inputTokens + summary.usage.outputTokens, 0);
    log('message batches: 100 one-hour transcripts in request mode…');
    const requestMode = new AnthropicSummarizer({ apiKey: 'bench', baseURL: server.url });
    const requested: Summary[] = [];
    for (const transcript of transcripts) requested.push(await requestMode.summarize(transcript));
    log('message batches: the same in batch mode…');
    const batchMode = new AnthropicSummarizer({
      apiKey: 'bench',
      baseURL: server.url,
      batch: { store: createMemoryStore(), windowMs: 50, pollIntervalMs: 10 },
    });
    const batched = await Promise.all(transcripts.map((transcript) => batchMode.summarize(transcript)));
    const value = total(batched);
    const baseline = total(requested);
    return {
      name: 'batch-api-cost-ratio',
      value: round(value, 4),
      unit: 'USD',
      baseline: round(baseline, 4),
      ratio: round(value / baseline),
      target: '<= 0.5',
      note:
        `claude-haiku-4-5 list prices on the tokens each run reported (${tokens(requested).toLocaleString('en-US')} in request mode, ` +
        `${tokens(batched).toLocaleString('en-US')} in batch mode, ${server.batches.batches.length} provider batch(es) of ${server.batches.requestCount()} requests)`,
    };
  } finally {
    await server.close();
  }
}

/** Peak RSS of a fresh process streaming 10,000 results into SQLite, against the same for 1,000. */
async function resultsRss(log: (line: string) => void): Promise<BenchResult[]> {
  const server = await startFakeAnthropicServer();
  const directory = mkdtempSync(join(tmpdir(), 'tubesum-bench-batches-'));
  try {
    const post = async (path: string, body?: unknown): Promise<{ id: string }> => {
      const response = await fetch(`${server.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as { id: string };
    };
    const measure = async (count: number) => {
      log(`message batches: streaming ${count.toLocaleString('en-US')} results into SQLite in a fresh process…`);
      const requests = Array.from({ length: count }, (_, index) => ({
        custom_id: `bench-${index}`,
        params: {
          model: 'claude-haiku-4-5',
          max_tokens: 1024,
          system: 'Summarize the transcript.',
          messages: [
            {
              role: 'user' as const,
              content: `<transcript title="Talk ${index}">\n[00:00] a talk of video b${index} about caches\n[01:00] and what they cost\n</transcript>`,
            },
          ],
        },
      }));
      const batch = await post('/v1/messages/batches', { requests });
      await post(`/v1/messages/batches/${batch.id}`); // the fake ends a batch at its first look
      const scenario: ResultsScenario = { url: server.url, batchId: batch.id, path: join(directory, `results-${count}.sqlite`) };
      // Not execFileSync: the fake server answering the child lives in this process's event loop.
      const { stdout: output } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, JSON.stringify(scenario)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { count: number; wallMs: number; maxRssMb: number };
      if (result.count !== count) throw new Error(`batch-api-results-rss: streamed ${result.count} of ${count} results`);
      return result;
    };
    const small = await measure(1000);
    const large = await measure(10_000);
    return [
      {
        name: 'batch-api-results-rss',
        value: round(large.maxRssMb, 1),
        unit: 'MB',
        baseline: round(small.maxRssMb, 1),
        ratio: round(large.maxRssMb / small.maxRssMb),
        target: 'report',
        note:
          `peak RSS of a fresh process streaming 10,000 Message Batch results (each a ~1 KB summary answer) one at a time into SQLite ` +
          `in ${round(large.wallMs / 1000, 1)} s; baseline: the same for 1,000 results. A ratio near 1 shows memory does not grow with the results`,
      },
    ];
  } finally {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
