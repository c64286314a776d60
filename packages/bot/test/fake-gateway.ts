// The gateway half of the fake Discord (fake-discord.ts): the guilds, how they are routed to
// shards as Discord does ((guild_id >> 22) % shard_count), and the WebSocket protocol a real
// discord.js Client speaks (HELLO, IDENTIFY with its shard, READY, GUILD_CREATE, heartbeats,
// RESUME). See ../../../shared/design/DISCORD-FAKE.md.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';

export const FAKE_IDS = {
  application: '1100000000000000001',
  /** On shard 1 of 2 (`(id >> 22) % 2`). */
  guild: '1200000000000000001',
  channel: '1300000000000000001',
  /** A second guild, on shard 0 of 2, with its own channel. */
  otherGuild: '1200000000004194305',
  otherChannel: '1300000000000000002',
  owner: '1400000000000000001',
  otherUser: '1400000000000000002',
} as const;

/** The guilds the fake's bot is in, each with one text channel. */
export const GUILDS = [
  { id: FAKE_IDS.guild, channelId: FAKE_IDS.channel, name: 'Fake Guild' },
  { id: FAKE_IDS.otherGuild, channelId: FAKE_IDS.otherChannel, name: 'Other Guild' },
] as const;

/** The shard Discord routes a guild's events to: `(guild_id >> 22) % shard_count`. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export function channelOfGuild(guildId: string): string {
  const guild = GUILDS.find((each) => each.id === guildId);
  if (!guild) throw new Error(`FakeDiscord: no guild ${guildId}`);
  return guild.channelId;
}

/** A gateway event sent to a client, with the shard of the connection it went to. */
export interface RecordedDispatch {
  event: string;
  guildId: string | undefined;
  shard: [number, number];
}

/** The GUILD_CREATE of a guild, with its channel (discord.js caches channels only from here). */
function guildCreatePayload(guild: (typeof GUILDS)[number]) {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: FAKE_IDS.owner,
    unavailable: false,
    member_count: 2,
    joined_at: '2025-01-01T00:00:00.000Z',
    large: false,
    features: [],
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        permissions: '1071698660929',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    channels: [{ id: guild.channelId, type: 0, name: 'general', guild_id: guild.id, position: 0, permission_overwrites: [], parent_id: null }],
    members: [],
    threads: [],
    emojis: [],
    stickers: [],
    presences: [],
    voice_states: [],
  };
}

export const botUser = {
  id: FAKE_IDS.application,
  username: 'fakebot',
  discriminator: '0',
  global_name: null,
  avatar: null,
  bot: true,
};

/** The gateway connections of a fake Discord, each with the shard it identified as. */
export class FakeGateway {
  readonly identifies: unknown[] = [];
  /** Every dispatch sent after READY (GUILD_CREATE, INTERACTION_CREATE, …), with the shard that got it. */
  readonly dispatches: RecordedDispatch[] = [];
  readonly #url: () => string;
  readonly #sockets = new Set<WebSocket>();
  readonly #ready = new Set<WebSocket>();
  readonly #seq = new Map<WebSocket, number>();
  /** `[shard_id, shard_count]` each connection identified (or resumed) with. */
  readonly #shardOfSocket = new Map<WebSocket, [number, number]>();
  readonly #sessions = new Map<string, [number, number]>();

  /** `url`: the gateway URL, for `resume_gateway_url`. */
  constructor(url: () => string) {
    this.#url = url;
  }

  /** Number of connections that received READY and are still open. */
  get connectedClients(): number {
    return this.#ready.size;
  }

  /** The `[shard_id, shard_count]` of every connection that is ready, sorted. */
  get connectedShards(): [number, number][] {
    return [...this.#ready].map((ws): [number, number] => this.#shardOfSocket.get(ws) ?? [0, 1]).sort((a, b) => a[0] - b[0]);
  }

  /** Drops every connection at once. */
  terminateAll(): void {
    for (const ws of this.#sockets) ws.terminate();
  }

  /** Sends an event to the connections that get it: with a guild, only the one of its shard. */
  dispatch(event: string, data: unknown, guildId?: string, only?: WebSocket): void {
    for (const ws of only ? [only] : this.#ready) {
      const shard = this.#shardOfSocket.get(ws) ?? [0, 1];
      if (guildId !== undefined && shardOfGuild(guildId, shard[1]) !== shard[0]) continue;
      this.dispatches.push({ event, guildId, shard });
      this.#send(ws, event, data);
    }
  }

  #send(ws: WebSocket, event: string, data: unknown): void {
    const s = (this.#seq.get(ws) ?? 0) + 1;
    this.#seq.set(ws, s);
    ws.send(JSON.stringify({ op: 0, t: event, s, d: data }));
  }

  /** Serves one gateway connection: HELLO, then IDENTIFY or RESUME, heartbeats. */
  accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('close', () => {
      this.#sockets.delete(ws);
      this.#ready.delete(ws);
      this.#shardOfSocket.delete(ws);
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
    ws.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (payload.op === 1) ws.send(JSON.stringify({ op: 11 }));
      else if (payload.op === 2) {
        const identify = payload.d as { shard?: [number, number] };
        this.identifies.push(identify);
        const shard = identify.shard ?? [0, 1];
        if (!(Number.isInteger(shard[1]) && shard[1] >= 1 && Number.isInteger(shard[0]) && shard[0] >= 0 && shard[0] < shard[1])) {
          ws.close(4010, 'Invalid shard'); // as Discord does
          return;
        }
        const sessionId = `fake-session-${randomUUID()}`;
        this.#shardOfSocket.set(ws, shard);
        this.#sessions.set(sessionId, shard);
        // Only the guilds of this shard, as Discord routes them: (guild_id >> 22) % shard_count.
        const guilds = GUILDS.filter((guild) => shardOfGuild(guild.id, shard[1]) === shard[0]);
        this.#send(ws, 'READY', {
          v: 10,
          user: botUser,
          guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
          session_id: sessionId,
          resume_gateway_url: this.#url(),
          shard,
          application: { id: FAKE_IDS.application, flags: 0 },
        });
        this.#ready.add(ws);
        for (const guild of guilds) this.dispatch('GUILD_CREATE', guildCreatePayload(guild), guild.id, ws);
      } else if (payload.op === 6) {
        const shard = this.#sessions.get((payload.d as { session_id?: string }).session_id ?? '');
        if (!shard) {
          ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
          return;
        }
        this.#shardOfSocket.set(ws, shard);
        this.#ready.add(ws);
        this.#send(ws, 'RESUMED', {});
      }
    });
  }
}
