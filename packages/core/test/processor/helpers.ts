import { BatchProcessor, createMemoryStore } from '@tubesum/core';
import type { BatchEvents, BatchProcessorOptions } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';

/** `count` distinct valid video ids: v0000000000, v0000000001, … */
export function videoIds(count: number, prefix = 'v'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(11 - prefix.length, '0')}`);
}

export function urlsOf(ids: readonly string[]): string[] {
  return ids.map((id) => `https://www.youtube.com/watch?v=${id}`);
}

/** A processor on a memory store with fakes, fast retries, and a recorder of every event. */
export function setup(options: Partial<BatchProcessorOptions> = {}) {
  const transcripts = (options.transcripts as FakeTranscriptSource | undefined) ?? new FakeTranscriptSource();
  const summarizer = (options.summarizer as FakeSummarizer | undefined) ?? new FakeSummarizer();
  const store = options.store ?? createMemoryStore();
  const processor = new BatchProcessor({
    retry: { attempts: 3, minDelayMs: 5, maxDelayMs: 50 },
    stateWriteIntervalMs: 10,
    ...options,
    transcripts,
    summarizer,
    store,
  });
  const events: Array<{ name: keyof BatchEvents; event: Parameters<BatchEvents[keyof BatchEvents]>[0] }> = [];
  for (const name of ['batchStart', 'batchProgress', 'batchPause', 'batchEnd', 'itemStart', 'itemStage', 'itemRetry', 'itemEnd'] as const) {
    processor.on(name, (event: Parameters<BatchEvents[typeof name]>[0]) => events.push({ name, event }));
  }
  return { processor, transcripts, summarizer, store, events };
}
