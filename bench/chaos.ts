// Chaos figures of issue "No dead ends": the same path a user runs (BatchProcessor, the real
// AnthropicSummarizer, its SDK) against the fake Anthropic server injecting faults at the wire.
import { AnthropicSummarizer, BatchProcessor, createMemoryStore } from '@tubesum/core';
import { FakeTranscriptSource } from '@tubesum/core/testing';
import { faultPlan } from '../packages/core/test/support/chaos.js';
import { deadKey, LLM_FAULT_KINDS, startFakeAnthropicServer, videoOfRequest, withFaults } from '@tubesum/test-support';
import { round } from './types.js';
import type { BenchResult } from './types.js';

const VIDEOS = 100;
const urls = (prefix: string) => Array.from({ length: VIDEOS }, (_, index) => `https://youtu.be/${prefix}${String(index).padStart(10, '0')}`);

export async function runChaosBenchmarks(log: (line: string) => void): Promise<BenchResult[]> {
  const server = await startFakeAnthropicServer();
  try {
    log('chaos: 100 videos with 30% transient LLM faults…');
    // The seed is fixed so the figures of two runs compare; the tests draw random seeds.
    const plan = faultPlan({ seed: 20261201, rate: 0.3, kinds: LLM_FAULT_KINDS, maxConsecutive: 3 });
    server.setDefault(withFaults(plan, { slowBodyMs: 4000, label: videoOfRequest }));
    const transient = new BatchProcessor({
      store: createMemoryStore(),
      transcripts: new FakeTranscriptSource({ latencyMs: 1, segments: 30 }),
      summarizer: new AnthropicSummarizer({ apiKey: 'sk-ant-bench', baseURL: server.url, timeoutMs: 2000 }),
      concurrency: { transcripts: 8, summaries: 8 },
      retry: { attempts: 4, minDelayMs: 10, maxDelayMs: 2000 },
    });
    const job = await transient.submit({ userId: 'bench', urls: urls('c') });
    const ended = await transient.waitFor(job.id, job);
    await transient.close();
    const calls = server.requests.length;
    const faults = plan.draws.filter((draw) => draw.kind !== undefined).length;

    log('chaos: a dead key…');
    server.reset();
    server.setDefault(deadKey);
    const summaries = 4;
    const dead = new BatchProcessor({
      store: createMemoryStore(),
      transcripts: new FakeTranscriptSource({ latencyMs: 1, segments: 30 }),
      summarizer: new AnthropicSummarizer({ apiKey: 'revoked', baseURL: server.url }),
      concurrency: { transcripts: 8, summaries },
    });
    const deadJob = await dead.submit({ userId: 'bench', urls: urls('d') });
    const paused = await dead.waitFor(deadJob.id, deadJob);
    await dead.close();
    const deadCalls = server.requests.length;

    return [
      {
        name: 'chaos-transient-done',
        value: ended.counts.done,
        unit: 'videos',
        baseline: VIDEOS,
        ratio: round(ended.counts.done / VIDEOS),
        target: '== 1',
        note: `30% of requests faulted (seed ${plan.seed}: ${faults} faults of ${LLM_FAULT_KINDS.join(', ')}), at most 3 in a row per video, 4 attempts`,
      },
      {
        name: 'chaos-llm-calls-per-video',
        value: calls,
        unit: 'calls',
        baseline: VIDEOS,
        ratio: round(calls / VIDEOS),
        target: 'report',
        note: 'LLM requests per video with 30% transient faults (one extra request per fault, none wasted)',
      },
      {
        name: 'dead-key-calls',
        value: deadCalls,
        unit: 'calls',
        baseline: summaries,
        ratio: round(deadCalls / summaries),
        target: '<= 1.0',
        note: `a revoked key (401 on every request), 100 videos, concurrency.summaries ${summaries}: calls before the batch paused (status ${paused.status})`,
      },
    ];
  } finally {
    await server.close();
  }
}
