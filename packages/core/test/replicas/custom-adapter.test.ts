import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { BatchProcessor, createKeyvStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';

/** A Keyv storage adapter the store cannot coordinate through (not a Map, SQLite, Redis or PostgreSQL). */
class CustomAdapter {
  readonly #map = new Map<string, unknown>();
  async get(key: string) {
    return this.#map.get(key);
  }
  async set(key: string, value: unknown) {
    this.#map.set(key, value);
    return true;
  }
  async delete(key: string) {
    return this.#map.delete(key);
  }
  async clear() {
    this.#map.clear();
  }
  on() {
    return this;
  }
}

describe('a store on a custom Keyv adapter', () => {
  it('works in one process, and resume() warns once that it cannot coordinate replicas', async () => {
    const store = createKeyvStore(new Keyv({ store: new CustomAdapter() }));
    expect(store.coordination).toBe('process');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const processor = new BatchProcessor({ store, transcripts: new FakeTranscriptSource(), summarizer: new FakeSummarizer() });
    try {
      const job = await processor.submit({ userId: 'a', urls: ['https://youtu.be/c0000000001', 'https://youtu.be/c0000000002'] });
      expect((await processor.waitFor(job.id, job)).status).toBe('done');
      await processor.resume();
      await processor.resume();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((message) => message.includes('cannot coordinate processes'))).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
      await processor.close();
    }
  });
});
