// The bot in worker mode (TUBESUM_QUEUE_URL) end to end: the real bot against the fake Discord,
// a real Redis, and a real `tubesum worker` process that does the videos.
import { rmSync } from 'node:fs';
import { createClient } from '@keyv/redis';
import { createMemoryStore, isTubesumError, openStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempHome } from '../../cli/test/run-cli.js';
import type { CliRun } from '../../cli/test/run-cli.js';
import { skipUnlessReachable } from '../../core/test/storage/services.js';
import { createBot } from '../src/bot.js';
import { loadConfig } from '../src/config.js';
import { FAKE_IDS } from './fake-discord.js';
import { startModelNamingServer } from '@tubesum/test-support';
import type { ModelNamingServer } from '@tubesum/test-support';
import { BOT_TOKEN, TRANSCRIPTS, VIDEOS, cancelButtonId, memoryLogger, messageText, run, startBot, unzip, urls, useFakeDiscord } from './helpers.js';

const REDIS = 'redis://127.0.0.1:6379';
const skip = await skipUnlessReachable('Redis', REDIS, 'the bot-in-worker-mode suite');
const prefix = `tsbot-${process.pid}-${Date.now().toString(36)}`;

describe.skipIf(skip)('the bot in worker mode, sharded', { timeout: 90_000 }, () => {
  const discord = useFakeDiscord({ shards: 2 });
  const { home } = tempHome();
  let worker: CliRun;
  let store: BatchStore;
  let llm: ModelNamingServer;

  beforeAll(async () => {
    llm = await startModelNamingServer();
    // A real worker process: the command line's `tubesum worker`, with the test transcripts and
    // an OpenAI-compatible fake as its summarizer (which the tests can hold).
    worker = startCli(
      [
        'worker',
        '--queue',
        REDIS,
        '--queue-prefix',
        prefix,
        '--transcripts',
        TRANSCRIPTS,
        '--no-youtube',
        '--openai-url',
        llm.baseUrl,
        '--openai-model',
        'worker-model',
      ],
      { home },
    );
    await worker.waitForStdout(/Worker ready/);
    store = await openStore(REDIS, { namespace: prefix });
  });
  afterAll(async () => {
    llm?.release();
    await store?.close?.();
    if (worker?.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.done;
    }
    await llm?.close();
    rmSync(home, { recursive: true, force: true });
    const redis = createClient({ url: REDIS });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const list = ([] as string[]).concat(keys);
      if (list.length > 0) await redis.del(list);
    }
    await redis.quit();
  });

  const env = { TUBESUM_QUEUE_URL: REDIS, TUBESUM_QUEUE_PREFIX: prefix, TUBESUM_STORE: REDIS };

  it('runs a /batch on the worker process and delivers the ZIP in the same message', async () => {
    const { fake } = discord;
    const logger = memoryLogger();
    // The bot's own summarizer must stay unused: the videos run on the worker.
    const local = new FakeSummarizer();
    await discord.start({ store, env, logger, summarizer: local });
    expect(logger.lines.join('\n')).toContain(`worker mode: the videos run on the workers of redis://127.0.0.1:6379 (prefix ${prefix})`);
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join(' '))) });
    const message = await fake.waitFor(() => fake.originalMessage(token)?.embeds.length && fake.originalMessage(token), 15_000, 'the progress message');
    expect(cancelButtonId(message)).toBeDefined();
    const final = await fake.waitFor(() => message.attachments.length === 1 && message, 30_000, 'the final message');
    expect(messageText(final)).toContain('4 succeeded');
    const files = await unzip(final.files.get(final.attachments[0]!.filename)!);
    expect(Object.keys(files).filter((name) => name.startsWith('summaries/'))).toHaveLength(4);
    expect(local.calls).toEqual([]);
    expect(llm.models).toEqual(Array(4).fill('worker-model'));
    expect(logger.lines.join('\n')).not.toContain(BOT_TOKEN);
    expect(final.channel_id).toBe(FAKE_IDS.channel);
  });

  it("resumes a batch of shard 0's guild after a restart, on the workers, in the same message", async () => {
    const { fake } = discord;
    llm.holdAfter(1); // one summary, then the worker's calls wait until released
    const first = await startBot(fake, { store, env, summarizer: null });
    // Short summaries: not in the cache the first test filled.
    const { token } = fake.sendCommand({
      name: 'batch',
      guildId: FAKE_IDS.otherGuild,
      options: run(urls(VIDEOS.join(' ')), { name: 'length', type: 3, value: 'short' }),
    });
    const message = await fake.waitFor(() => fake.originalMessage(token)?.embeds.length && fake.originalMessage(token), 15_000, 'the progress message');
    expect(message.channel_id).toBe(FAKE_IDS.otherChannel);
    await fake.waitFor(() => messageText(message).includes('✅ 1 done') || undefined, 30_000, 'one done');
    await first.stop();
    const stoppedAt = fake.requests.length;

    const second = await startBot(fake, { store, env: { ...env, TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '1' }, summarizer: null });
    try {
      llm.release();
      const final = await fake.waitFor(() => message.attachments.length === 1 && message, 30_000, 'the final message');
      expect(messageText(final)).toContain('4 succeeded');
      const after = fake.requests.slice(stoppedAt).filter((r) => r.method !== 'GET');
      expect(after.every((r) => r.path === `/channels/${FAKE_IDS.otherChannel}/messages/${message.id}`)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('refuses a memory store with the executor’s INVALID_OPTIONS', async () => {
    const config = loadConfig({
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_IDS.application,
      DISCORD_API_URL: discord.fake.apiUrl,
      TUBESUM_SUMMARIZER: 'offline',
      ...env,
    });
    const error = await createBot(config, { store: createMemoryStore(), logger: memoryLogger() }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(isTubesumError(error, 'INVALID_OPTIONS')).toBe(true);
    expect(String((error as Error).message)).toContain('a memory store, which they cannot reach');
  });
});

describe('the bot in worker mode without its Redis', () => {
  it('fails to start at once, naming host and port and never the password', async () => {
    const logger = memoryLogger();
    const config = loadConfig({
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_IDS.application,
      TUBESUM_QUEUE_URL: 'redis://default:hunter2-secret@127.0.0.1:1',
      TUBESUM_STORE: 'redis://default:hunter2-secret@127.0.0.1:1',
    });
    const error = await createBot(config, { logger }).then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    expect(isTubesumError(error, 'NETWORK_ERROR')).toBe(true);
    expect(error?.message).toContain('Could not connect to Redis at 127.0.0.1:1');
    expect(`${error?.message} ${logger.lines.join('\n')}`).not.toContain('hunter2-secret');
  });
});
