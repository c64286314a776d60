import { Client, Events, GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';

describe('FakeDiscord', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start({ tokenTtlMs: 60_000 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('lets the real discord.js Client log in, receive a command and answer it', async () => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    const handlerFailures: unknown[] = [];
    client.on(Events.InteractionCreate, (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const answer = async () => {
        await interaction.deferReply();
        const message = await interaction.editReply({ content: 'hello @everyone', allowedMentions: { parse: [] } });
        await message.edit({ content: 'edited' });
      };
      // discord.js ignores a listener's promise: keep the failure for the assertion below.
      answer().catch((error: unknown) => handlerFailures.push(error));
    });
    try {
      await client.login('fake-token');
      await ready;
      expect(client.channels.cache.get(FAKE_IDS.channel)).toBeDefined();
      const { token } = fake.sendCommand({ name: 'batch' });
      const message = await fake.waitFor(() => fake.originalMessage(token)?.content === 'edited' && fake.originalMessage(token));
      expect(handlerFailures).toEqual([]);
      expect(message.edits).toBe(2);
      const paths = fake.requests.map((r) => `${r.method} ${r.path.replace(token, 'TOKEN')}`);
      expect(paths).toContain(`PATCH /webhooks/${FAKE_IDS.application}/TOKEN/messages/@original`);
      expect(paths).toContain(`PATCH /channels/${FAKE_IDS.channel}/messages/${message.id}`);
    } finally {
      await client.destroy();
    }
  });
});
