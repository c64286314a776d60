// The fake Discord routes guilds by shard as Discord does: `GET /gateway/bot` answers `shards`,
// each connection gets READY and GUILD_CREATE for the guilds of the shard it identified as, and a
// guild's interactions reach only that shard.
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FAKE_IDS, FakeDiscord, shardOfGuild } from './fake-discord.js';

interface Frame {
  op: number;
  t: string | null;
  d: Record<string, unknown>;
}

/** A bare gateway connection that identifies as `shard` and keeps every frame it gets. */
async function connectAs(fake: FakeDiscord, shard: [number, number]): Promise<{ frames: Frame[]; ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`${fake.origin.replace('http', 'ws')}/gateway?v=10&encoding=json`);
  const frames: Frame[] = [];
  ws.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Frame));
  const closed = once(ws, 'close').then(([code]) => code as number);
  await once(ws, 'open');
  await fake.waitFor(() => frames.some((frame) => frame.op === 10), 5000, 'HELLO');
  ws.send(JSON.stringify({ op: 2, d: { token: 'raw', intents: 1, properties: {}, shard } }));
  return { frames, ws, closed };
}

const dispatched = (frames: Frame[], event: string) => frames.filter((frame) => frame.t === event).map((frame) => frame.d);

describe('the fake Discord with 2 shards', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start({ shards: 2 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('puts its two guilds on different shards of 2', () => {
    expect(shardOfGuild(FAKE_IDS.guild, 2)).toBe(1);
    expect(shardOfGuild(FAKE_IDS.otherGuild, 2)).toBe(0);
    expect(shardOfGuild(FAKE_IDS.guild, 1)).toBe(0);
  });

  it('answers the recommended shard count in GET /gateway/bot', async () => {
    const response = await fetch(`${fake.apiUrl}/v10/gateway/bot`, { headers: { authorization: 'Bot x' } });
    const body = (await response.json()) as { shards: number; session_start_limit: { max_concurrency: number } };
    expect(body.shards).toBe(2);
    expect(body.session_start_limit.max_concurrency).toBe(2);
  });

  it('gives each shard only its guilds, and a guild interaction only to its shard', async () => {
    const zero = await connectAs(fake, [0, 2]);
    const one = await connectAs(fake, [1, 2]);
    try {
      await fake.waitFor(() => fake.connectedClients === 2, 5000, 'both shards');
      const readyOf = (frames: Frame[]) => dispatched(frames, 'READY')[0] as { shard: number[]; guilds: { id: string }[] };
      expect(readyOf(zero.frames).shard).toEqual([0, 2]);
      expect(readyOf(zero.frames).guilds.map((g) => g.id)).toEqual([FAKE_IDS.otherGuild]);
      expect(readyOf(one.frames).guilds.map((g) => g.id)).toEqual([FAKE_IDS.guild]);
      expect(dispatched(zero.frames, 'GUILD_CREATE').map((d) => d.id)).toEqual([FAKE_IDS.otherGuild]);
      expect(dispatched(one.frames, 'GUILD_CREATE').map((d) => d.id)).toEqual([FAKE_IDS.guild]);
      expect(fake.connectedShards).toEqual([
        [0, 2],
        [1, 2],
      ]);

      const { token } = fake.sendCommand({ name: 'batch', guildId: FAKE_IDS.otherGuild });
      fake.sendCommand({ name: 'batch' }); // FAKE_IDS.guild by default
      await fake.waitFor(() => dispatched(one.frames, 'INTERACTION_CREATE').length === 1, 5000, 'the interaction on shard 1');
      await fake.waitFor(() => dispatched(zero.frames, 'INTERACTION_CREATE').length === 1, 5000, 'the interaction on shard 0');
      const onZero = dispatched(zero.frames, 'INTERACTION_CREATE')[0]!;
      expect(onZero).toMatchObject({ token, guild_id: FAKE_IDS.otherGuild, channel_id: FAKE_IDS.otherChannel });
      expect(dispatched(one.frames, 'INTERACTION_CREATE')[0]).toMatchObject({ guild_id: FAKE_IDS.guild, channel_id: FAKE_IDS.channel });
      expect(fake.dispatches.filter((d) => d.event === 'INTERACTION_CREATE').map((d) => [d.guildId, d.shard[0]])).toEqual([
        [FAKE_IDS.otherGuild, 0],
        [FAKE_IDS.guild, 1],
      ]);
    } finally {
      zero.ws.close();
      one.ws.close();
      await Promise.all([zero.closed, one.closed]);
    }
  });

  it('closes a connection that identifies as a shard outside its count with 4010', async () => {
    const wrong = await connectAs(fake, [2, 2]);
    expect(await wrong.closed).toBe(4010);
  });

  it("lets discord.js's shards: 'auto' spawn the recommended shards, each with its guild's channel", async () => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl }, shards: 'auto' });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    const shardOfInteraction: number[] = [];
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.guild) shardOfInteraction.push(interaction.guild.shardId);
    });
    try {
      const identifiesBefore = fake.identifies.length;
      await client.login('fake-token');
      await ready;
      const shards = fake.identifies.slice(identifiesBefore).map((d) => (d as { shard: number[] }).shard);
      expect(shards.sort((a, b) => a[0]! - b[0]!)).toEqual([
        [0, 2],
        [1, 2],
      ]);
      expect(client.channels.cache.get(FAKE_IDS.channel)).toBeDefined();
      expect(client.channels.cache.get(FAKE_IDS.otherChannel)).toBeDefined();
      fake.sendCommand({ name: 'batch', guildId: FAKE_IDS.otherGuild });
      await fake.waitFor(() => shardOfInteraction.length === 1, 5000, 'the interaction');
      expect(shardOfInteraction).toEqual([0]);
    } finally {
      await client.destroy();
    }
  });
});
