// Run by lifecycle.test.ts in a child process: a bot mid-batch is stopped with SIGUSR2, and the
// process must then exit by itself (no timer, socket or interval left keeping it alive).
import { FileTranscriptSource, createMemoryStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { createBot } from '../src/bot.js';
import { loadConfig } from '../src/config.js';
import { TRANSCRIPTS, firstQuickThenSlow, memoryLogger } from './helpers.js';

const logger = memoryLogger();
const bot = await createBot(loadConfig(process.env), {
  transcripts: new FileTranscriptSource({ directory: TRANSCRIPTS }),
  summarizer: new FakeSummarizer({ latencyMs: firstQuickThenSlow() }),
  store: createMemoryStore(),
  logger,
});
process.once('SIGUSR2', () => {
  bot.stop().then(
    () => console.log('stopped'),
    (error: unknown) => {
      console.log(`stop failed: ${String(error)}`);
      process.exitCode = 1;
    },
  );
});
await bot.start();
console.log('ready');
