// A replica process for the replica benchmarks, on a shared SQLite file. Usage:
//   tsx bench/replica-scenario.ts '{"mode":"resume","path":…,"callLog":…}'   resumes what it can, logs summarizer calls
//   tsx bench/replica-scenario.ts '{"mode":"cancel-trials","path":…,"trials":20}'  owns jobs that another process cancels
// Writes one JSON line per fact to stdout.
import { BatchProcessor, createSqliteStore } from '@tubesum/core';
import type { Summarizer, Transcript } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { logCall } from '@tubesum/test-support';

export interface ReplicaScenario {
  mode: 'resume' | 'cancel-trials';
  path: string;
  callLog?: string;
  trials?: number;
}

const scenario = JSON.parse(process.argv[2] ?? '{}') as ReplicaScenario;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const store = createSqliteStore({ path: scenario.path });

if (scenario.mode === 'resume') {
  const callLog = scenario.callLog as string;
  const processor = new BatchProcessor({
    store,
    transcripts: new FakeTranscriptSource({ latencyMs: 1 }),
    summarizer: new FakeSummarizer({ latencyMs: 20, onCall: (videoId) => logCall(callLog, videoId) }),
    concurrency: { transcripts: 4, summaries: 8 },
  });
  const resumed = await processor.resume();
  for (const job of resumed) await processor.waitFor(job.id, job);
  say({ type: 'resumed', jobs: resumed.length });
  await processor.close();
  await store.close?.();
} else {
  // Summaries that take 60 s unless aborted; each abort is reported with the wall-clock time.
  let inFlight = 0;
  let aborts: number[] = [];
  let onStarted = () => {};
  const slow: Summarizer = {
    model: 'slow',
    promptVersion: '1',
    summarize(_transcript: Transcript, options) {
      inFlight += 1;
      onStarted();
      return new Promise((_resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not cancelled')), 60_000);
        options?.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            inFlight -= 1;
            aborts.push(Date.now());
            reject(options.signal?.reason);
          },
          { once: true },
        );
      });
    },
  };
  const processor = new BatchProcessor({ store, transcripts: new FakeTranscriptSource(), summarizer: slow, concurrency: { transcripts: 4, summaries: 4 } });
  for (let trial = 0; trial < (scenario.trials ?? 20); trial += 1) {
    aborts = [];
    const started = new Promise<void>((resolve) => {
      onStarted = () => {
        if (inFlight >= 4) resolve();
      };
    });
    const urls = Array.from({ length: 8 }, (_, index) => `https://youtu.be/t${String(trial).padStart(3, '0')}${String(index).padStart(7, '0')}`);
    const job = await processor.submit({ userId: 'bench', urls });
    await started;
    say({ type: 'ready', jobId: job.id, trial });
    const ended = await processor.waitFor(job.id, job);
    say({ type: 'trial', trial, status: ended.status, aborted: aborts.length, lastAbortAt: Math.max(...aborts) });
  }
  await processor.close();
  await store.close?.();
}
