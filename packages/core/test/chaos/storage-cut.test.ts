// Chaos: the connection to Redis or PostgreSQL is cut for 2 s in the middle of a batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchProcessor, openStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { POSTGRES_URL, Relay, skipUnlessReachable, temporaryPostgresTable } from '../storage/services.js';

const skipRedis = await skipUnlessReachable('Redis', 'redis://127.0.0.1:6379');
const skipPostgres = await skipUnlessReachable('PostgreSQL', POSTGRES_URL);
const table = temporaryPostgresTable('tubesum_chaos_cut', skipPostgres);
const namespace = () => `chaos${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

const backends = [
  { name: 'Redis', skip: skipRedis, port: 6379, open: (port: number) => openStore(`redis://127.0.0.1:${port}`, { namespace: namespace() }) },
  {
    name: 'PostgreSQL',
    skip: skipPostgres,
    port: 5432,
    open: (port: number) => openStore(`postgres://postgres@127.0.0.1:${port}/test`, { namespace: namespace(), table }),
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`a 2 s cut of ${backend.name} in the middle of a batch`, () => {
    const relay = new Relay(backend.port);
    let store: BatchStore;
    beforeAll(async () => {
      await relay.start();
      store = await backend.open(relay.port);
    });
    afterAll(async () => {
      await relay.start();
      await store.close?.();
      await relay.cut();
    });

    it('loses nothing: every video done after the outage (or after one resume()), no summary paid twice', async () => {
      const summarizer = new FakeSummarizer({ latencyMs: 40 });
      const processor = new BatchProcessor({
        store,
        transcripts: new FakeTranscriptSource({ latencyMs: 5 }),
        summarizer,
        concurrency: { transcripts: 2, summaries: 4 },
        retry: { attempts: 6, minDelayMs: 200, maxDelayMs: 2000 },
        stateWriteIntervalMs: 50,
        pollIntervalMs: 100,
      });
      let ended = 0;
      let cut: Promise<void> | undefined;
      processor.on('itemEnd', () => {
        ended += 1;
        if (ended === 10) {
          cut = (async () => {
            await relay.cut();
            await new Promise((resolve) => setTimeout(resolve, 2000));
            await relay.start();
          })();
        }
      });
      try {
        const urls = Array.from({ length: 50 }, (_, index) => `https://youtu.be/s${String(index).padStart(10, '0')}`);
        const job = await processor.submit({ userId: 'chaos', urls });
        let result = await processor.waitFor(job.id, job);
        await cut;
        if (result.status === 'paused') {
          await processor.resume({ jobIds: [job.id] });
          result = await processor.waitFor(job.id, job);
        }
        expect(result.status).toBe('done');
        expect(result.counts.done).toBe(50);
        expect(summarizer.calls).toHaveLength(50);
        expect(new Set(summarizer.calls).size).toBe(50);
        const items = await store.getItems(job.id);
        expect(items.filter((item) => item.status === 'done')).toHaveLength(50);
        expect((await store.getJobState(job.id))?.status).toBe('done');
      } finally {
        await processor.close();
      }
    }, 60_000);
  });
}
