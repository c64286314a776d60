import type { CliContext } from '../context.js';
import { createSummarizer, createTranscriptSource, openCliStore, youtubeFetch } from '../create-processor.js';
import { ExitCode } from '../exit-code.js';
import { redactUrl, proxyNotice } from '@tubesum/proxy';
import { resolveWorkerConfig } from '../queue-config.js';
import type { WorkerFlags } from '../queue-config.js';
import { plural } from '../render/format.js';

/** A store URL as it may be printed. */
function shownStore(url: string): string {
  return url.includes('@') ? redactUrl(url) : url;
}

/** Resolves on the first Ctrl-C or SIGTERM; a second one of either quits at once. */
function untilStopSignal(context: CliContext, onSecond: () => void): { stopped: Promise<void>; dispose(): void } {
  let signals = 0;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const listener = () => {
    signals += 1;
    if (signals === 1) resolveStopped();
    else onSecond();
  };
  const disposers = [context.onInterrupt(listener), context.onTerminate?.(listener)];
  return {
    stopped,
    dispose: () => {
      for (const dispose of disposers) dispose?.();
    },
  };
}

/**
 * `tubesum worker --queue redis://…`: takes the videos submitters (`tubesum run --queue`, the bot
 * in worker mode) send to that Redis, fetches their transcripts and writes their summaries into
 * the shared store, until Ctrl-C or SIGTERM. Then it takes no new video, finishes the ones in hand
 * (or hands them back to the queue when they are cut off) and exits with 0.
 */
export async function workerCommand(flags: WorkerFlags, context: CliContext): Promise<ExitCode> {
  const config = resolveWorkerConfig(flags, context.env, context.cwd);
  const say = (line: string) => context.stdout.write(`${line}\n`);
  if (config.transcripts.proxy !== undefined) say(proxyNotice(config.transcripts.proxy));
  const summarizer = createSummarizer(config.summarizer);
  const transcripts = createTranscriptSource(config.transcripts, youtubeFetch(config, context.fetch));
  // One prefix names a deployment: the queue's keys and the store's (the submitters do the same).
  const store = await openCliStore(config.storeUrl, context.cwd, { namespace: config.queue.prefix });
  const signals = untilStopSignal(context, () => {
    context.stderr.write('Quit at once; the videos in hand go back to the queue when their lock expires.\n');
    context.exit(ExitCode.CANCELLED);
  });
  try {
    // Loaded only here: the commands that run in-process need neither BullMQ nor ioredis.
    const { createQueueExecutor, startWorker } = await import('@tubesum/bullmq');
    const { transcripts: transcriptSlots, summaries } = config.workerConcurrency;
    const connection = config.queue.url;
    const prefix = config.queue.prefix;
    if (config.globalSummaries !== undefined) {
      // The cluster-wide limit lives on the summary queue in Redis; the executor API sets it
      // (and leaves it there: submitters that do not name one keep it).
      const limits = createQueueExecutor({ connection, prefix, summaries: { globalConcurrency: config.globalSummaries } });
      try {
        await limits.ready();
      } finally {
        await limits.close();
      }
    }
    const worker = await startWorker({ connection, prefix, transcripts, summarizer, store, concurrency: config.workerConcurrency });
    say(
      `Worker ready: taking videos from ${redactUrl(config.queue.url)} (prefix ${config.queue.prefix}), ` +
        `${plural(transcriptSlots, 'transcript')} and ${summaries} ${summaries === 1 ? 'summary' : 'summaries'} at once` +
        `${config.globalSummaries === undefined ? '' : ` (${config.globalSummaries} summaries at once across all workers)`}, ` +
        `model ${summarizer.model}, store ${shownStore(config.storeUrl)}. Ctrl-C or SIGTERM stops it.`,
    );
    await signals.stopped;
    say('Stopping: taking no new video, finishing the ones in hand (Ctrl-C again to quit at once)…');
    await worker.close();
    say('Worker stopped.');
    return ExitCode.OK;
  } finally {
    signals.dispose();
    await store.close?.();
  }
}
