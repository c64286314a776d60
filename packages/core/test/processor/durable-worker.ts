// A child process for the durability test: runs a batch on a SQLite file until it is killed,
// or resumes whatever that file holds. Writes one JSON line per event to stdout.
import { BatchProcessor, createSqliteStore } from '../../src/index.js';
import { FakeSummarizer, FakeTranscriptSource } from '../../src/testing/index.js';
// The call log alone: the package's index also holds the script bundler (esbuild), which a bundled child must not carry.
import { logCall } from '@tubesum/test-support/call-log';

const [mode, databasePath, callLogPath, countText] = process.argv.slice(2);
if (!mode || !databasePath || !callLogPath) throw new Error('usage: durable-worker start|resume <db> <call-log> [count]');

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const store = createSqliteStore({ path: databasePath });
const processor = new BatchProcessor({
  store,
  transcripts: new FakeTranscriptSource({ latencyMs: 2 }),
  summarizer: new FakeSummarizer({ latencyMs: 40, onCall: (videoId) => logCall(callLogPath, videoId) }),
  concurrency: { transcripts: 2, summaries: 2 },
  stateWriteIntervalMs: 20,
  // A killed owner's lease lapses after 1 s, so the resume below does not wait 30 s.
  leaseMs: 1000,
});
processor.on('itemEnd', ({ item, status }) => say({ type: 'itemEnd', index: item.index, videoId: item.videoId, status }));

if (mode === 'start') {
  const count = Number(countText ?? 30);
  const urls = Array.from({ length: count }, (_, index) => `https://youtu.be/d${String(index).padStart(10, '0')}`);
  const job = await processor.submit({ userId: 'durable', urls });
  say({ type: 'submitted', jobId: job.id });
  await processor.waitFor(job.id, job);
  say({ type: 'finished-without-kill' });
} else {
  // The killed process's lease is still held until it expires: try again until then.
  let resumed = await processor.resume();
  for (let tries = 0; resumed.length === 0 && tries < 40; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    resumed = await processor.resume();
  }
  say({ type: 'resumed', jobIds: resumed.map((job) => job.id) });
  for (const job of resumed) say({ type: 'ended', job: await processor.waitFor(job.id, job) });
  await processor.close();
  await store.close?.();
}
