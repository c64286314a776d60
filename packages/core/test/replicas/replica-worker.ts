// A replica for the cross-process tests: one BatchProcessor on a shared store (SQLite file, Redis
// or PostgreSQL). Reads one JSON command from argv, writes one JSON line per event to stdout, and
// appends every summarizer call to a shared log (the "bill"), so tests count calls across processes.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchProcessor, openStore } from '../../src/index.js';
import type { Summarizer } from '../../src/index.js';
import { FakeSummarizer, FakeTranscriptSource } from '../../src/testing/index.js';
// The call log alone: the package's index also holds the script bundler (esbuild), which a bundled child must not carry.
import { logCall } from '@tubesum/test-support/call-log';

export interface ReplicaCommand {
  mode: 'submit' | 'resume' | 'adopt' | 'submit-many';
  store: string;
  namespace: string;
  table?: string;
  callLog: string;
  summaryMs: number;
  leaseMs: number;
  count?: number;
  /** For submit-many: how many submits at once. */
  submits?: number;
  /** No summary starts until this file exists: a test holds the job running until it is ready to watch. */
  gateFile?: string;
}

const command = JSON.parse(process.argv[2] ?? '{}') as ReplicaCommand;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const fake = new FakeSummarizer({ latencyMs: command.summaryMs, onCall: (videoId) => logCall(command.callLog, videoId) });
const gateFile = command.gateFile;
const summarizer: Summarizer = gateFile
  ? {
      model: fake.model,
      promptVersion: fake.promptVersion,
      async summarize(transcript, options) {
        while (!existsSync(gateFile)) await sleep(20, undefined, { signal: options?.signal });
        return fake.summarize(transcript, options);
      },
    }
  : fake;
const store = await openStore(command.store, { namespace: command.namespace, ...(command.table ? { table: command.table } : {}) });
const processor = new BatchProcessor({
  store,
  transcripts: new FakeTranscriptSource({ latencyMs: 2 }),
  summarizer,
  concurrency: { transcripts: 4, summaries: 4 },
  stateWriteIntervalMs: 50,
  leaseMs: command.leaseMs,
  pollIntervalMs: 100,
  adoptOrphans: command.mode === 'adopt',
});
processor.on('batchStart', ({ job, resumed }) => say({ type: 'batchStart', jobId: job.id, resumed }));
processor.on('itemEnd', ({ item, status }) => say({ type: 'itemEnd', index: item.index, videoId: item.videoId, status }));
processor.on('batchEnd', ({ job }) => say({ type: 'batchEnd', job }));
// The processor's own timers do not keep a process alive (they are unref'd), nor does an SQLite
// store: a replica whose jobs all lost their lease at once (a stalled machine) would exit (code
// 13, a top-level await left pending) before claiming them back. A server would stay up: so does
// a replica, until it stops.
const keepAlive = setInterval(() => undefined, 60_000);
const stop = async () => {
  await processor.close();
  await store.close?.();
  clearInterval(keepAlive);
};
process.on('SIGTERM', () => void stop().then(() => process.exit(0)));

if (command.mode === 'submit') {
  const urls = Array.from({ length: command.count ?? 20 }, (_, index) => `https://youtu.be/r${String(index).padStart(10, '0')}`);
  const job = await processor.submit({ userId: 'replicas', urls });
  say({ type: 'submitted', jobId: job.id });
  say({ type: 'ended', job: await processor.waitFor(job.id, job) });
  await stop();
} else if (command.mode === 'resume') {
  const resumed = await processor.resume();
  say({ type: 'resumed', jobIds: resumed.map((job) => job.id) });
  for (const job of resumed) say({ type: 'ended', job: await processor.waitFor(job.id, job) });
  await stop();
} else if (command.mode === 'submit-many') {
  const submits = command.submits ?? 50;
  const jobs = await Promise.all(
    Array.from({ length: submits }, (_, index) =>
      processor.submit({ userId: 'many', urls: `https://youtu.be/m${String(process.pid % 1000).padStart(4, '0')}${String(index).padStart(6, '0')}` }),
    ),
  );
  say({ type: 'submitted-many', jobIds: jobs.map((job) => job.id) });
  await Promise.all(jobs.map((job) => processor.waitFor(job.id, job)));
  await stop();
} else {
  say({ type: 'adopting' });
  // Runs until the test stops it (SIGTERM), kept alive by `keepAlive`.
}
