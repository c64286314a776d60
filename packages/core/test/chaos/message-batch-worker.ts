// A child process for the Message Batches SIGKILL tests: runs (or resumes) a batch on a SQLite file
// with AnthropicSummarizer in batch mode against the fake server at `url`. One JSON line per event.
import { AnthropicSummarizer, BatchProcessor, createSqliteStore } from '../../src/index.js';
import { FakeTranscriptSource } from '../../src/testing/index.js';

const [mode, databasePath, url, countText] = process.argv.slice(2);
if (!mode || !databasePath || !url) throw new Error('usage: message-batch-worker start|resume <db> <fake-url> [count]');

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const store = createSqliteStore({ path: databasePath });
const summarizer = new AnthropicSummarizer({
  apiKey: 'sk-ant-test',
  baseURL: url,
  batch: { store, windowMs: 50, pollIntervalMs: 10, maxPollIntervalMs: 40 },
});
const processor = new BatchProcessor({
  store,
  transcripts: new FakeTranscriptSource({ latencyMs: 1 }),
  summarizer,
  stateWriteIntervalMs: 20,
  // A killed owner's lease lapses after 1 s, so the resume below does not wait 30 s.
  leaseMs: 1000,
});
processor.on('itemEnd', ({ item, status }) => say({ type: 'itemEnd', index: item.index, videoId: item.videoId, status }));
processor.on('batchProgress', ({ progress }) => {
  const waiting = progress.current.find((current) => current.waiting?.phase === 'submitted');
  if (waiting) say({ type: 'waiting', batchId: waiting.waiting?.batchId });
});

if (mode === 'start') {
  const count = Number(countText ?? 6);
  const urls = Array.from({ length: count }, (_, index) => `https://youtu.be/k${String(index).padStart(10, '0')}`);
  const job = await processor.submit({ userId: 'killed', urls });
  say({ type: 'submitted', jobId: job.id });
  await processor.waitFor(job.id, job);
  say({ type: 'finished-without-kill' });
} else {
  let resumed = await processor.resume();
  for (let tries = 0; resumed.length === 0 && tries < 40; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    resumed = await processor.resume();
  }
  say({ type: 'resumed', jobIds: resumed.map((job) => job.id) });
  for (const job of resumed) say({ type: 'ended', job: await processor.waitFor(job.id, job) });
}
await processor.close();
await store.close?.();
