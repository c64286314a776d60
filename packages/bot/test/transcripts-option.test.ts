import { createMemoryStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { describe, expect, it } from 'vitest';
import type { CommandOptionInput } from './fake-discord.js';
import { VIDEOS, messageText, run, unzip, urls, useFakeDiscord } from './helpers.js';

const transcriptsOption: CommandOptionInput = { name: 'transcripts', type: 5, value: true };

describe('the transcripts option of /batch run and /batch zip', () => {
  const discord = useFakeDiscord();

  it('adds each transcript (text and SRT) to the ZIP of the final message and of /batch zip', async () => {
    const fake = discord.fake;
    await discord.start({ store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 10 }) });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(`${VIDEOS[0]} ${VIDEOS[1]}`), transcriptsOption) });
    const final = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 10_000, 'the final message');
    expect(messageText(final)).toContain('ZIP attached');
    const files = Object.keys(await unzip(final.files.get(final.attachments[0]!.filename)!));
    expect(files.filter((name) => name.startsWith('transcripts/') && name.endsWith('.txt'))).toHaveLength(2);
    expect(files.filter((name) => name.startsWith('transcripts/') && name.endsWith('.srt'))).toHaveLength(2);

    const jobId = /Job ([\w-]+)/.exec(JSON.stringify(final.embeds))![1]!;
    const zipOptions = (extra: CommandOptionInput[]): CommandOptionInput[] => [
      { name: 'zip', type: 1, options: [{ name: 'id', type: 3, value: jobId }, ...extra] },
    ];
    const plain = fake.sendCommand({ name: 'batch', options: zipOptions([]) });
    const plainAnswer = await fake.waitFor(
      () => fake.originalMessage(plain.token)?.attachments.length === 1 && fake.originalMessage(plain.token),
      5000,
      '/batch zip',
    );
    const plainFiles = Object.keys(await unzip(plainAnswer.files.get(plainAnswer.attachments[0]!.filename)!));
    expect(plainFiles.some((name) => name.startsWith('transcripts/'))).toBe(false);

    const withTranscripts = fake.sendCommand({ name: 'batch', options: zipOptions([transcriptsOption]) });
    const answer = await fake.waitFor(
      () => fake.originalMessage(withTranscripts.token)?.attachments.length === 1 && fake.originalMessage(withTranscripts.token),
      5000,
      '/batch zip transcripts:True',
    );
    const zipped = Object.keys(await unzip(answer.files.get(answer.attachments[0]!.filename)!));
    expect(zipped.filter((name) => name.endsWith('.srt'))).toHaveLength(2);
  });
});
