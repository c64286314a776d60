import { createMemoryStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../src/bot.js';
import type { CommandOptionInput } from './fake-discord.js';
import { FakeDiscord } from './fake-discord.js';
import { VIDEOS, messageBodies, messageText, run, startBot, urls } from './helpers.js';

describe('/batch run input that cannot become a batch', () => {
  let fake: FakeDiscord;
  let bot: Bot;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    bot = await startBot(fake, {
      store: createMemoryStore(),
      summarizer: new FakeSummarizer({ latencyMs: 20 }),
      env: { TUBESUM_ATTACHMENT_TIMEOUT_MS: '300', TUBESUM_MAX_FILE_BYTES: '200' },
    });
  });
  afterAll(async () => {
    await bot.stop();
    await fake.close();
  });

  /** Sends `/batch run`, checks it was deferred at once, and returns the text of the answer. */
  async function ask(options: CommandOptionInput[], attachment?: ReturnType<FakeDiscord['addAttachment']>): Promise<string> {
    const { id, token } = fake.sendCommand({
      name: 'batch',
      options,
      ...(attachment ? { attachments: [attachment] } : {}),
    });
    const ack = await fake.waitFor(() => fake.callbacks(id)[0], 3000, 'the ack');
    expect(ack.type).toBe(5);
    return fake.waitFor(() => fake.originalMessage(token)?.content || undefined, 10_000, 'the answer');
  }
  const file = (attachment: ReturnType<FakeDiscord['addAttachment']>) => run({ name: 'file', type: 11, value: attachment.id });

  it('explains a `urls` option with no valid YouTube URL, listing why each input was rejected', async () => {
    const answer = await ask(run(urls('hello https://example.com/watch?v=x https://www.youtube.com/channel/UC123')));
    expect(answer).toMatch(/^❌ No valid YouTube video URL found\./);
    expect(answer).toContain('`hello`');
    expect(answer).toContain('`https://example.com/watch?v=x`');
    expect(answer).toContain('`https://www.youtube.com/channel/UC123`');
  });

  it('gives up on an attachment URL that never answers, in words, within the configured timeout', async () => {
    const hanging = fake.addAttachment('urls.txt', VIDEOS.join('\n'), 'text/plain', { behaviour: 'hang' });
    const answer = await ask(file(hanging), hanging);
    expect(fake.attachmentDownloads).toContain(new URL(hanging.url).pathname);
    expect(answer).toMatch(/Downloading the file took longer than 300 ms/);
  });

  it('gives up on an attachment whose body stalls half way', async () => {
    const stalled = fake.addAttachment('urls.txt', VIDEOS.join('\n'), 'text/plain', { behaviour: 'stall-body' });
    expect(await ask(file(stalled), stalled)).toMatch(/Downloading the file took longer than 300 ms/);
  });

  it('refuses a file larger than the limit even when Discord announced a smaller size', async () => {
    const lying = fake.addAttachment('urls.txt', `${VIDEOS[0]}\n`.repeat(40), 'text/plain', { size: 50 });
    expect(await ask(file(lying), lying)).toMatch(/The file is larger than the 200 B limit\./);
    const announced = fake.addAttachment('urls.txt', 'x'.repeat(300));
    expect(await ask(file(announced), announced)).toMatch(/The file is 300 B; the limit is 200 B\./);
  });

  it('refuses binary and non-UTF-8 files and files that are not .txt/.csv', async () => {
    const binary = fake.addAttachment('urls.txt', Buffer.from([0x68, 0x74, 0, 0x70]));
    expect(await ask(file(binary), binary)).toMatch(/The file is not text \(it contains binary data\)\./);
    const latin1 = fake.addAttachment('urls.csv', Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'text/csv');
    expect(await ask(file(latin1), latin1)).toMatch(/The file is not UTF-8 text\./);
    const image = fake.addAttachment('urls.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png');
    expect(await ask(file(image), image)).toMatch(/`urls.png` is not a text file/);
  });

  it('still runs a batch afterwards (a hanging download blocks nothing), and mentions stay disabled', async () => {
    const list = fake.addAttachment('urls.csv', `url\nhttps://youtu.be/${VIDEOS[0]}\n`, 'text/csv');
    const { token } = fake.sendCommand({ name: 'batch', options: run({ name: 'file', type: 11, value: list.id }), attachments: [list] });
    const final = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 10_000);
    expect(messageText(final)).toContain('1 succeeded');
    for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});
