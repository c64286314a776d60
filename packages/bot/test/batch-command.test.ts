import { createMemoryStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../src/bot.js';
import type { CommandOptionInput } from './fake-discord.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';
import {
  BOT_TOKEN,
  VIDEOS,
  cancelButtonId,
  editsOf,
  firstQuickThenSlow,
  memoryLogger,
  messageBodies,
  messageText,
  run,
  startBot,
  unzip,
  urls,
} from './helpers.js';

describe('/batch end to end against the fake Discord', () => {
  let fake: FakeDiscord;
  let bot: Bot | undefined;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    fake.tokenTtlMs = 15 * 60_000;
  });
  afterAll(async () => {
    await fake.close();
  });

  it('acknowledges at once, edits one message in place and ends with the outcome and the ZIP', async () => {
    const logger = memoryLogger();
    bot = await startBot(fake, {
      store: createMemoryStore(),
      logger,
      summarizer: new FakeSummarizer({ latencyMs: 250, failures: { ddddddddddd: 'PROVIDER_ERROR' } }),
      env: { TUBESUM_SUMMARY_CONCURRENCY: '1', TUBESUM_TRANSCRIPT_CONCURRENCY: '1' },
    });
    const sentAt = performance.now();
    const list = [...VIDEOS.map((id) => `https://youtu.be/${id}`), 'https://example.com/not-youtube', `https://www.youtube.com/watch?v=${VIDEOS[0]}`];
    const { id, token } = fake.sendCommand({
      name: 'batch',
      options: run(urls(list.join('\n')), { name: 'name', type: 3, value: 'Science @everyone' }),
    });

    const ack = await fake.waitFor(() => fake.requests.find((r) => r.path.startsWith(`/interactions/${id}/`)), 3000, 'the ack');
    expect((ack.body as { type: number }).type).toBe(5);
    expect(ack.at - sentAt).toBeLessThan(3000);

    const message = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 15_000, 'the final message');
    const text = messageText(message);
    expect(text).toContain('Finished');
    expect(text).toContain('3 succeeded, 1 failed');
    expect(text).toMatch(/Failed \(1\)[\s\S]*ddddddddddd/);
    expect(text).toContain('Rejected inputs (1)');
    expect(text).toContain('Duplicates skipped (1)');
    expect(text).toContain('ZIP attached');
    expect(cancelButtonId(message)).toBeUndefined();

    // Progress was shown in the same message, several times, never faster than the throttle.
    const edits = editsOf(fake, token, message.id);
    expect(edits.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(190);
    const running = edits.find((e) => JSON.stringify(e.body).includes('remaining'));
    expect(JSON.stringify(running?.body)).toContain(`batch:cancel:`);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/channels/'))).toHaveLength(0);

    const files = await unzip(message.files.get(message.attachments[0]!.filename)!);
    const index = Object.entries(files).find(([name]) => name.endsWith('index.md'));
    expect(index).toBeDefined();
    expect(index![1]).toContain(VIDEOS[1]);
    expect(index![1]).toContain(VIDEOS[3]);
    // One failed video makes the batch `failed`: an ended status, so the outcome above was sent.
    expect(index![1]).toContain('` (failed)');
    await fake.waitFor(() => logger.lines.some((line) => /ended \(failed\); outcome and ZIP sent/.test(line)), 5000, 'the log of the end');

    for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(logger.lines.join('\n')).not.toContain(BOT_TOKEN);
  });

  it('lets only the owner cancel, and the owner gets the partial ZIP', async () => {
    bot = await startBot(fake, {
      store: createMemoryStore(),
      summarizer: new FakeSummarizer({ latencyMs: firstQuickThenSlow() }),
      env: { TUBESUM_SUMMARY_CONCURRENCY: '1' },
    });
    const { token } = fake.sendCommand({
      name: 'batch',
      options: run(urls(VIDEOS.map((v) => `https://youtu.be/${v}`).join(' '))),
    });
    const message = await fake.waitFor(() => cancelButtonId(fake.originalMessage(token)) !== undefined && fake.originalMessage(token), 5000);
    const customId = cancelButtonId(message)!;
    expect(customId.length).toBeLessThanOrEqual(100);

    const other = fake.clickButton({ customId, messageId: message.id, userId: FAKE_IDS.otherUser });
    const refusal = await fake.waitFor(() => fake.callbacks(other.id)[0], 5000, 'the refusal');
    expect(refusal.type).toBe(4);
    expect(refusal.data?.flags).toBe(64);
    expect(String(refusal.data?.content)).toContain('Only the person who started this batch');

    // Let one video finish, then cancel as the owner.
    await fake.waitFor(() => messageText(fake.originalMessage(token)).includes('✅ 1 done') || undefined, 8000, 'one done');
    const owner = fake.clickButton({ customId, messageId: message.id });
    await fake.waitFor(() => fake.callbacks(owner.id)[0], 5000, 'the owner ack');
    const final = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 10_000);
    const text = messageText(final);
    expect(text).toContain('Cancelled');
    expect(text).toMatch(/\d+ cancelled/);
    const files = await unzip(final.files.get(final.attachments[0]!.filename)!);
    expect(Object.keys(files).some((name) => name.endsWith('index.md'))).toBe(true);
    for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('waits out a 429 on an edit and still shows the final state', async () => {
    bot = await startBot(fake, { store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 100 }) });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(`${VIDEOS[0]} ${VIDEOS[1]}`)) });
    await fake.waitFor(() => fake.originalMessage(token)?.embeds.length, 5000);
    const before = fake.requests.length;
    fake.rateLimitNext('PATCH', new RegExp(`/webhooks/${FAKE_IDS.application}/${token}/messages/@original$`), 0.3);
    const final = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 10_000);
    expect(fake.requests.slice(before).some((r) => r.status === 429)).toBe(true);
    expect(messageText(final)).toContain('2 succeeded');
  });

  it('keeps editing through the channel route once the interaction token expired', async () => {
    fake.tokenTtlMs = 700;
    bot = await startBot(fake, {
      store: createMemoryStore(),
      summarizer: new FakeSummarizer({ latencyMs: 300 }),
      env: { TUBESUM_SUMMARY_CONCURRENCY: '1' },
    });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join(','))) });
    const first = await fake.waitFor(() => fake.originalMessage(token), 5000);
    const final = await fake.waitFor(() => first.attachments.length === 1 && first, 15_000, 'the final message');
    expect(messageText(final)).toContain('4 succeeded');
    const channelEdits = fake.requests.filter(
      (r) => r.method === 'PATCH' && r.status === 200 && r.path === `/channels/${FAKE_IDS.channel}/messages/${first.id}`,
    );
    expect(channelEdits.length).toBeGreaterThanOrEqual(1);
    expect(channelEdits.map((r) => r.authorization)).toEqual(channelEdits.map(() => `Bot ${BOT_TOKEN}`));
    expect(channelEdits.at(-1)!.files).toHaveLength(1);
  });

  it('splits a ZIP larger than the upload limit into parts posted under the message', async () => {
    fake.attachmentSizeLimit = 1500;
    try {
      bot = await startBot(fake, { store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 20 }) });
      const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join(' '))) });
      const final = await fake.waitFor(() => messageText(fake.originalMessage(token)).includes('Finished') && fake.originalMessage(token), 10_000);
      const match = /sent in (\d+) parts/.exec(messageText(final));
      expect(match).not.toBeNull();
      const count = Number(match![1]);
      const posts = await fake.waitFor(() => {
        const found = fake.requests.filter((r) => r.method === 'POST' && r.path === `/webhooks/${FAKE_IDS.application}/${token}`);
        return found.length === count && found;
      }, 5000);
      expect(final.attachments).toEqual([]);
      const parts = posts.map((p) => p.files[0]!);
      expect(parts.every((file) => file.data.length <= 1500)).toBe(true);
      const files = await unzip(Buffer.concat(parts.map((file) => file.data)));
      expect(Object.keys(files).some((name) => name.endsWith('index.md'))).toBe(true);
      for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
    } finally {
      fake.attachmentSizeLimit = 10 * 1024 * 1024;
    }
  });

  it('reads the URLs from an attached .txt file', async () => {
    bot = await startBot(fake, { store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 20 }) });
    const attachment = fake.addAttachment('urls.txt', `${VIDEOS[2]}\nhttps://youtu.be/${VIDEOS[3]}\n`);
    const { token } = fake.sendCommand({
      name: 'batch',
      options: run({ name: 'file', type: 11, value: attachment.id }),
      attachments: [attachment],
    });
    const final = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 10_000);
    expect(messageText(final)).toContain('2 succeeded');
  });

  it('answers user errors in words', async () => {
    bot = await startBot(fake, {
      store: createMemoryStore(),
      summarizer: new FakeSummarizer({ latencyMs: 2000 }),
      env: { TUBESUM_MAX_URLS_PER_BATCH: '2', TUBESUM_MAX_RUNNING_BATCHES_PER_USER: '1', TUBESUM_MAX_FILE_BYTES: '50' },
    });
    const ask = async (options: CommandOptionInput[], attachments?: ReturnType<FakeDiscord['addAttachment']>[]) => {
      const { token } = fake.sendCommand({ name: 'batch', options, ...(attachments ? { attachments } : {}) });
      const message = await fake.waitFor(() => fake.originalMessage(token)?.content || undefined, 5000);
      return message;
    };
    expect(await ask(run(urls('hello https://example.com')))).toMatch(/No valid YouTube video URL/);
    expect(await ask(run(urls(VIDEOS.join(' '))))).toMatch(/Too many videos: 4.*at most 2/);
    const binary = fake.addAttachment('urls.txt', Buffer.from([0x68, 0, 0x69]));
    expect(await ask(run({ name: 'file', type: 11, value: binary.id }), [binary])).toMatch(/not text/);
    const big = fake.addAttachment('urls.txt', 'x'.repeat(60));
    expect(await ask(run({ name: 'file', type: 11, value: big.id }), [big])).toMatch(/the limit is 50 B/);
    const pdf = fake.addAttachment('urls.pdf', 'abc', 'application/pdf');
    expect(await ask(run({ name: 'file', type: 11, value: pdf.id }), [pdf])).toMatch(/not a text file/);

    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS[0])) });
    await fake.waitFor(() => cancelButtonId(fake.originalMessage(token)), 5000);
    expect(await ask(run(urls(VIDEOS[1])))).toMatch(/already have 1 batch running/);
  });

  it('says when no summarizer is configured', async () => {
    const { createBot } = await import('../src/bot.js');
    const { loadConfig } = await import('../src/config.js');
    bot = await createBot(loadConfig({ DISCORD_TOKEN: BOT_TOKEN, DISCORD_APPLICATION_ID: FAKE_IDS.application, DISCORD_API_URL: fake.apiUrl }), {
      logger: memoryLogger(),
    });
    await bot.start();
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS[0])) });
    const message = await fake.waitFor(() => fake.originalMessage(token)?.content || undefined, 5000);
    expect(message).toMatch(/No summarizer is configured/);
  });

  it('lists, cancels and re-sends the ZIP of the user’s batches', async () => {
    bot = await startBot(fake, { store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 20 }) });
    const first = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS[0]), { name: 'name', type: 3, value: 'first' }) });
    const done = await fake.waitFor(() => fake.originalMessage(first.token)?.attachments.length === 1 && fake.originalMessage(first.token), 10_000);
    const jobId = /Job ([\w-]+)/.exec(JSON.stringify(done.embeds))![1]!;

    const list = fake.sendCommand({ name: 'batch', options: [{ name: 'list', type: 1 }] });
    const listed = await fake.waitFor(() => fake.callbacks(list.id)[0], 5000);
    expect(listed.data?.flags).toBe(64);
    expect(String(listed.data?.content)).toContain(jobId);
    expect(String(listed.data?.content)).toContain('done');

    const zip = fake.sendCommand({ name: 'batch', options: [{ name: 'zip', type: 1, options: [{ name: 'id', type: 3, value: jobId }] }] });
    const resent = await fake.waitFor(() => fake.originalMessage(zip.token)?.attachments.length === 1 && fake.originalMessage(zip.token), 5000);
    const files = await unzip(resent.files.get(resent.attachments[0]!.filename)!);
    expect(Object.keys(files).some((name) => name.endsWith('index.md'))).toBe(true);

    const stranger = fake.sendCommand({
      name: 'batch',
      options: [{ name: 'cancel', type: 1, options: [{ name: 'id', type: 3, value: jobId }] }],
      userId: FAKE_IDS.otherUser,
    });
    const refused = await fake.waitFor(() => fake.callbacks(stranger.id)[0], 5000);
    expect(String(refused.data?.content)).toMatch(/No batch with id/);
    for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});
