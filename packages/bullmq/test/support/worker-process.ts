// A worker process for the tests and benchmarks of @tubesum/bullmq: startWorker() with the fake
// transcript source and summarizer of @tubesum/core/testing. Reads one JSON command from argv,
// writes JSON lines (`ready`, then `closed`), and appends every summarizer call's start, end or
// abort to a shared log (`pid videoId start|end|abort epochMs`), so tests count calls across processes.
import { openStore } from '@tubesum/core';
import type { SummarizeOptions, Summarizer, Summary, Transcript } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import type { FailureScript } from '@tubesum/core/testing';
import { startWorker } from '../../src/index.js';
// The call log alone: the package's index also holds the script bundler (esbuild), which a bundled child must not carry.
import { logCall } from '@tubesum/test-support/call-log';
import { WORKER_RETRY } from './worker-fixtures.js';

export interface WorkerCommand {
  redis: string;
  store: string;
  namespace: string;
  prefix: string;
  transcriptMs: number;
  summaryMs: number;
  transcripts: number;
  summaries: number;
  callLog?: string;
  lockDurationMs?: number;
  /** Scripted failures of the fakes, by video id (error codes; null lets an attempt through). */
  transcriptFailures?: FailureScript;
  summaryFailures?: FailureScript;
  /** Summary latencies of some videos, instead of `summaryMs`. */
  summaryMsByVideo?: Record<string, number>;
}

const command = JSON.parse(process.argv[2] ?? '{}') as WorkerCommand;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const log = (videoId: string, what: string) => {
  if (command.callLog) logCall(command.callLog, videoId, what);
};

const fake = new FakeSummarizer({
  latencyMs: (videoId) => command.summaryMsByVideo?.[videoId] ?? command.summaryMs,
  ...(command.summaryFailures ? { failures: command.summaryFailures } : {}),
});
/** The fake summarizer, with every call's start, end and abort logged. */
const summarizer: Summarizer = {
  model: fake.model,
  promptVersion: fake.promptVersion,
  async summarize(transcript: Transcript, options?: SummarizeOptions): Promise<Summary> {
    log(transcript.videoId, 'start');
    try {
      const summary = await fake.summarize(transcript, options);
      log(transcript.videoId, 'end');
      return summary;
    } catch (error) {
      log(transcript.videoId, options?.signal?.aborted ? 'abort' : 'error');
      throw error;
    }
  },
};

const store = await openStore(command.store, { namespace: command.namespace });
const worker = await startWorker({
  connection: command.redis,
  prefix: command.prefix,
  store,
  transcripts: new FakeTranscriptSource({ latencyMs: command.transcriptMs, ...(command.transcriptFailures ? { failures: command.transcriptFailures } : {}) }),
  summarizer,
  concurrency: { transcripts: command.transcripts, summaries: command.summaries },
  retry: WORKER_RETRY,
  ...(command.lockDurationMs === undefined ? {} : { lockDurationMs: command.lockDurationMs }),
});
say({ type: 'ready', pid: process.pid });
const stop = async () => {
  await worker.close();
  await store.close?.();
  say({ type: 'closed' });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
