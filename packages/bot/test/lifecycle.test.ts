import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryStore, createSqliteStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { bundleScript } from '@tubesum/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../src/bot.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';
import { BOT_TOKEN, VIDEOS, cancelButtonId, editsOf, firstQuickThenSlow, memoryLogger, messageBodies, messageText, run, startBot, urls } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** stop-child.ts and the sources it imports, bundled into one script (see bundleScript). */
const child = await bundleScript(new URL('./stop-child.ts', import.meta.url));

/** `store` whose listUnfinishedJobIds (what processor.resume() reads first) waits for `gate`. */
function gated(store: BatchStore, gate: Promise<void>): BatchStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'listUnfinishedJobIds') {
        return async () => {
          await gate;
          return target.listUnfinishedJobIds();
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Accepted edits carrying a file (the final edit with the ZIP) of one message. */
const finalEdits = (fake: FakeDiscord, token: string, messageId: string) =>
  fake.requests.filter(
    (r) =>
      r.method === 'PATCH' &&
      r.status === 200 &&
      r.files.length > 0 &&
      (r.path.endsWith(`/${token}/messages/@original`) || r.path === `/channels/${FAKE_IDS.channel}/messages/${messageId}`),
  );

describe('Cancel, stop and restart edge cases', () => {
  let fake: FakeDiscord;
  let bot: Bot | undefined;
  let folder: string;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    folder = mkdtempSync(join(tmpdir(), 'tubesum-bot-lifecycle-'));
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
  });
  afterAll(async () => {
    await fake.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('handles Cancel pressed twice at once: one final message, no error, and a later press is told the batch ended', async () => {
    const logger = memoryLogger();
    bot = await startBot(fake, {
      store: createMemoryStore(),
      logger,
      summarizer: new FakeSummarizer({ latencyMs: firstQuickThenSlow() }),
      env: { TUBESUM_SUMMARY_CONCURRENCY: '1' },
    });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join(' '))) });
    const message = await fake.waitFor(() => cancelButtonId(fake.originalMessage(token)) !== undefined && fake.originalMessage(token), 5000);
    const customId = cancelButtonId(message)!;

    const a = fake.clickButton({ customId, messageId: message.id });
    const b = fake.clickButton({ customId, messageId: message.id });
    const answers = await fake.waitFor(
      () => {
        const both = [fake.callbacks(a.id)[0], fake.callbacks(b.id)[0]];
        return both.every(Boolean) && (both as { type: number; data?: Record<string, unknown> }[]);
      },
      5000,
      'both answers',
    );
    for (const answer of answers) {
      // Either acknowledged (6) or told privately that it already ended (4, ephemeral); never an error.
      if (answer.type === 4) {
        expect(answer.data?.flags).toBe(64);
        expect(String(answer.data?.content)).toMatch(/already ended \(cancelled\)/);
      } else expect(answer.type).toBe(6);
    }
    const final = await fake.waitFor(() => message.attachments.length === 1 && message, 10_000, 'the final message');
    expect(messageText(final)).toContain('Cancelled');
    await bot.messages!.delivered(/Job ([\w-]+)/.exec(JSON.stringify(final.embeds))![1]!);
    expect(finalEdits(fake, token, message.id)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/webhooks/'))).toHaveLength(0);
    expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(bot.messages!.tracked).toBe(0);
    // The edits around the cancel (Cancelling…, the final state) went through the throttle too (interval 200 ms in startBot).
    const edits = editsOf(fake, token, message.id);
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(190);

    // The button of an ended batch (a stale client still shows it): a private answer, no edit.
    const editsBefore = message.edits;
    const late = fake.clickButton({ customId, messageId: message.id });
    const lateAnswer = await fake.waitFor(() => fake.callbacks(late.id)[0], 5000, 'the late answer');
    expect(lateAnswer.type).toBe(4);
    expect(lateAnswer.data?.flags).toBe(64);
    expect(String(lateAnswer.data?.content)).toContain('This batch already ended (cancelled)');
    // `/batch cancel` on it says the same in words.
    const command = fake.sendCommand({
      name: 'batch',
      options: [{ name: 'cancel', type: 1, options: [{ name: 'id', type: 3, value: customId.split(':')[2]! }] }],
    });
    const commandAnswer = await fake.waitFor(() => fake.callbacks(command.id)[0], 5000);
    expect(String(commandAnswer.data?.content)).toMatch(/already ended \(cancelled\)/);
    expect(message.edits).toBe(editsBefore);
    for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('delivers the outcome of a batch cancelled after a restart, before the processor resumed it', async () => {
    const path = join(folder, 'cancel-window.sqlite');
    const env = { TUBESUM_SUMMARY_CONCURRENCY: '1', TUBESUM_TRANSCRIPT_CONCURRENCY: '1' };
    const firstStore = createSqliteStore({ path });
    const first = await startBot(fake, { store: firstStore, env, summarizer: new FakeSummarizer({ latencyMs: firstQuickThenSlow() }) });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join('\n'))) });
    await fake.waitFor(() => messageText(fake.originalMessage(token)).includes('✅ 1 done') || undefined, 10_000, 'one done');
    const message = fake.originalMessage(token)!;
    const customId = cancelButtonId(message)!;
    await first.stop();
    await firstStore.close?.();

    // The new process has logged in and picked up the message, but resume() has not run yet.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const secondStore = createSqliteStore({ path });
    const logger = memoryLogger();
    const starting = startBot(fake, {
      store: gated(secondStore, gate),
      logger,
      env: { ...env, TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '1' },
      summarizer: new FakeSummarizer({ latencyMs: 20 }),
    });
    try {
      await fake.waitFor(() => logger.lines.some((line) => line.includes('continuing the progress message')) || undefined, 10_000, 'restore');
      const click = fake.clickButton({ customId, messageId: message.id });
      expect((await fake.waitFor(() => fake.callbacks(click.id)[0], 5000, 'the ack')).type).toBe(6);
      // No batchEnd will come for it (no processor runs it): the bot delivers the outcome itself.
      const final = await fake.waitFor(() => message.attachments.length === 1 && message, 10_000, 'the final message');
      expect(messageText(final)).toContain('Cancelled');
      expect(cancelButtonId(final)).toBeUndefined();
    } finally {
      open();
      bot = await starting;
    }
    await bot.stop();
    await secondStore.close?.();
  });

  it('does not lose a final edit that is waiting out a 429 when the bot is stopped, and a restart does not send it again', async () => {
    const store = createMemoryStore();
    bot = await startBot(fake, { store, summarizer: new FakeSummarizer({ latencyMs: 20 }) });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(`${VIDEOS[0]} ${VIDEOS[1]}`)) });
    fake.rateLimitNext('PATCH', new RegExp(`/${token}/messages/@original$`), 1, (request) => request.files.length > 0);
    await fake.waitFor(() => fake.requests.some((r) => r.status === 429 && r.path.includes(token)), 10_000, 'the 429 on the final edit');
    // Shutdown (SIGTERM) while the final edit waits: stop() finishes it first.
    const stopping = bot;
    bot = undefined;
    await stopping.stop();
    const message = fake.originalMessage(token)!;
    expect(message.attachments).toHaveLength(1);
    expect(messageText(message)).toContain('2 succeeded');
    expect(finalEdits(fake, token, message.id)).toHaveLength(1);

    // The next start finds nothing left to deliver.
    const before = fake.requests.length;
    bot = await startBot(fake, { store, summarizer: new FakeSummarizer({ latencyMs: 20 }) });
    await bot.stop();
    expect(fake.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('leaves nothing running after stop(): a process stopped mid-batch exits by itself', async () => {
    const proc = spawn(process.execPath, [child], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_APPLICATION_ID: FAKE_IDS.application,
        DISCORD_API_URL: fake.apiUrl,
        TUBESUM_SUMMARIZER: 'offline',
        TUBESUM_SUMMARY_CONCURRENCY: '1',
        // A long throttle: a progress edit is waiting on its timer when stop() comes.
        TUBESUM_EDIT_INTERVAL_MS: '60000',
      },
    });
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(proc, 'exit');
    try {
      await fake.waitFor(() => output.includes('ready') || undefined, 20_000, 'the child bot');
      const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join(' '))) });
      const message = await fake.waitFor(() => fake.originalMessage(token)?.embeds.length && fake.originalMessage(token), 5000);
      // Work in flight and a throttled edit queued behind the first render.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(message.attachments).toHaveLength(0);
      proc.kill('SIGUSR2');
      // A deadlock guard, not a speed check: the process normally exits within milliseconds.
      const guard = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      const [code, signal] = await exited;
      clearTimeout(guard);
      expect(output).toContain('stopped');
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  });
});
