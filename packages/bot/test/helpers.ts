import type { CommandOptionInput } from './fake-discord.js';
import { fileURLToPath } from 'node:url';
import { FileTranscriptSource } from '@tubesum/core';
import type { BatchStore, Summarizer, VideoListSource } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import JSZip from 'jszip';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createBot } from '../src/bot.js';
import type { Bot } from '../src/bot.js';
import { loadConfig } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import type { FakeDiscordOptions, FakeMessage, RecordedRequest } from './fake-discord.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';

export const TRANSCRIPTS = fileURLToPath(new URL('./fixtures/transcripts/', import.meta.url));

/** Videos with transcripts in fixtures/transcripts. */
export const VIDEOS = ['aaaaaaaaaa1', 'bbbbbbbbbb2', 'ccccccccccc', 'ddddddddddd'] as const;

export const BOT_TOKEN = 'fake-token-never-logged';

/**
 * Summarizer latency for "interrupt after the first video" tests: the first call is quick, every
 * later one takes `slowMs` (aborted by cancel or stop), so the moment is deterministic under load.
 */
export function firstQuickThenSlow(slowMs = 30_000): () => number {
  let calls = 0;
  return () => (calls++ === 0 ? 20 : slowMs);
}

/** A logger that keeps lines, to check the token never appears. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
  };
}

export interface StartBotOptions {
  store: BatchStore;
  env?: Record<string, string>;
  /** `null`: the summarizers the configuration names (one per model). @default a FakeSummarizer */
  summarizer?: Summarizer | null;
  logger?: Logger;
  /** Expands playlists and channels. @default the bot's own (YouTube) */
  lists?: VideoListSource;
}

/** A bot built from the environment like main.ts, pointed at the fake Discord, with test sources. */
export async function startBot(fake: FakeDiscord, options: StartBotOptions): Promise<Bot> {
  const config = loadConfig({
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_APPLICATION_ID: FAKE_IDS.application,
    DISCORD_API_URL: fake.apiUrl,
    TUBESUM_SUMMARIZER: 'offline',
    TUBESUM_EDIT_INTERVAL_MS: '200',
    ...options.env,
  });
  const bot = await createBot(config, {
    transcripts: new FileTranscriptSource({ directory: TRANSCRIPTS }),
    ...(options.summarizer === null ? {} : { summarizer: options.summarizer ?? new FakeSummarizer({ latencyMs: 150 }) }),
    store: options.store,
    ...(options.lists === undefined ? {} : { lists: options.lists }),
    logger: options.logger ?? memoryLogger(),
    processor: { retry: { attempts: 1, minDelayMs: 0, maxDelayMs: 0 }, stateWriteIntervalMs: 0 },
  });
  await bot.start();
  return bot;
}

/** Every request whose body is a message (content, embeds or components). */
export function messageBodies(fake: FakeDiscord): { request: RecordedRequest; body: Record<string, unknown> }[] {
  const out: { request: RecordedRequest; body: Record<string, unknown> }[] = [];
  for (const request of fake.requests) {
    if (request.method !== 'POST' && request.method !== 'PATCH') continue;
    let body = request.body as Record<string, unknown> | undefined;
    if (body && typeof body.type === 'number' && request.path.startsWith('/interactions/')) {
      body = body.data as Record<string, unknown> | undefined;
    }
    if (!body || typeof body !== 'object') continue;
    if ('content' in body || 'embeds' in body || 'components' in body) out.push({ request, body });
  }
  return out;
}

/** The text of a message: content and every embed's title, description and fields. */
export function messageText(message: FakeMessage | undefined): string {
  if (!message) return '';
  const parts = [message.content];
  for (const embed of message.embeds as { title?: string; description?: string; fields?: { name: string; value: string }[] }[]) {
    parts.push(embed.title ?? '', embed.description ?? '', ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]));
  }
  return parts.join('\n');
}

/** The Cancel button's custom_id on a message. */
export function cancelButtonId(message: FakeMessage | undefined): string | undefined {
  const rows = (message?.components ?? []) as { components: { custom_id?: string }[] }[];
  return rows.flatMap((row) => row.components).find((c) => c.custom_id?.startsWith('batch:cancel:'))?.custom_id;
}

export async function unzip(data: Buffer): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(data);
  const files: Record<string, string> = {};
  for (const [name, entry] of Object.entries(zip.files)) if (!entry.dir) files[name] = await entry.async('string');
  return files;
}

/** Edits of one message that Discord accepted (webhook or channel route), in order. */
export function editsOf(fake: FakeDiscord, token: string, messageId: string): RecordedRequest[] {
  const channelId = fake.messages.get(messageId)?.channel_id ?? FAKE_IDS.channel;
  return fake.requests.filter(
    (r) =>
      r.method === 'PATCH' &&
      r.status === 200 &&
      (r.path.endsWith(`/${token}/messages/@original`) || r.path === `/channels/${channelId}/messages/${messageId}`),
  );
}

/** The options of `/batch run` as an interaction carries them. */
export const run = (...options: CommandOptionInput[]): CommandOptionInput[] => [{ name: 'run', type: 1, options }];

/** The `urls` option of `/batch run`. */
export const urls = (value: string): CommandOptionInput => ({ name: 'urls', type: 3, value });

/**
 * A fake Discord for one `describe` block, started before its tests and closed after them, and
 * the bot a test starts on it, stopped after each test.
 */
export function useFakeDiscord(fakeOptions: FakeDiscordOptions = {}): { readonly fake: FakeDiscord; start(options: StartBotOptions): Promise<Bot> } {
  let fake: FakeDiscord | undefined;
  let bot: Bot | undefined;
  beforeAll(async () => {
    fake = await FakeDiscord.start(fakeOptions);
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
  });
  afterAll(async () => {
    await fake?.close();
  });
  return {
    get fake(): FakeDiscord {
      if (fake === undefined) throw new Error('The fake Discord starts in beforeAll: use it inside a test.');
      return fake;
    },
    async start(options) {
      bot = await startBot(this.fake, options);
      return bot;
    },
  };
}
