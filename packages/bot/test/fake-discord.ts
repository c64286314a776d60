// A fake Discord (REST API + WebSocket gateway) on 127.0.0.1 that the real discord.js Client
// connects to through `rest: { api }`. It records every request so tests can assert on the wire.
// See ../../../shared/design/DISCORD-FAKE.md for the flow it implements.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FAKE_IDS, FakeGateway, GUILDS, botUser, channelOfGuild } from './fake-gateway.js';
import type { RecordedDispatch } from './fake-gateway.js';

export { FAKE_IDS, shardOfGuild } from './fake-gateway.js';
export type { RecordedDispatch } from './fake-gateway.js';

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path after `/api/v10`, e.g. `/webhooks/APP/TOKEN/messages/@original`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** Parsed JSON body (or `payload_json` of a multipart body). */
  body: unknown;
  files: RecordedFile[];
  /** `performance.now()` when the request arrived. */
  at: number;
  /** Status the fake answered. */
  status: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: { id: string; filename: string; size: number; url: string; content_type: string }[];
  /** Raw bytes of each attachment, by filename. */
  files: Map<string, Buffer>;
  flags: number;
  edits: number;
}

export interface ScriptedFailure {
  method: string;
  path: RegExp;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** How many matching requests fail. @default 1 */
  times?: number;
  /** Only requests for which this holds fail (e.g. the multipart edit carrying the ZIP). */
  when?: (request: RecordedRequest) => boolean;
}

/** How a slow attachment URL misbehaves. */
export type AttachmentBehaviour =
  /** Never answers: no status line, no headers. */
  | 'hang'
  /** Sends the headers and the first bytes, then stalls forever. */
  | 'stall-body';

interface InteractionInfo {
  id: string;
  token: string;
  createdAt: number;
  channelId: string;
  originalMessageId: string | undefined;
  componentMessageId?: string;
  ephemeral: boolean;
}

export interface FakeDiscordOptions {
  /** Interaction tokens older than this get 401 50027 on webhook routes. @default 15 minutes */
  tokenTtlMs?: number;
  /** `attachment_size_limit` sent with interactions. @default 10 MiB */
  attachmentSizeLimit?: number;
  /**
   * Uploads with a file larger than this get 413 40005 "Request entity too large", as Discord
   * answers when a file is over the real limit. @default Infinity
   */
  maxUploadBytes?: number;
  /** `shards` answered by `GET /gateway/bot` (what `shards: 'auto'` spawns). @default 1 */
  shards?: number;
  /** `session_start_limit.max_concurrency`: shards identifying at once. @default the `shards` value */
  maxConcurrency?: number;
}

export interface CommandOptionInput {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: CommandOptionInput[];
}

function user(id: string) {
  return { id, username: `user${id.slice(-2)}`, discriminator: '0', global_name: null, avatar: null };
}

export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  readonly messages = new Map<string, FakeMessage>();
  /** Commands registered with PUT, by route. */
  readonly commands = new Map<string, unknown>();
  shards: number;
  maxConcurrency: number;
  tokenTtlMs: number;
  attachmentSizeLimit: number;
  maxUploadBytes: number;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #gateway = new FakeGateway(() => `ws://127.0.0.1:${this.#port}/gateway`);
  readonly #interactions = new Map<string, InteractionInfo>();
  readonly #attachments = new Map<string, { data: Buffer; contentType: string; behaviour?: AttachmentBehaviour }>();
  readonly #failures: (ScriptedFailure & { left: number })[] = [];
  #counter = 0n;
  #port = 0;

  private constructor(options: FakeDiscordOptions) {
    this.tokenTtlMs = options.tokenTtlMs ?? 15 * 60_000;
    this.attachmentSizeLimit = options.attachmentSizeLimit ?? 10 * 1024 * 1024;
    this.maxUploadBytes = options.maxUploadBytes ?? Number.POSITIVE_INFINITY;
    this.shards = options.shards ?? 1;
    this.maxConcurrency = options.maxConcurrency ?? this.shards;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error), code: 0 }));
      });
    });
    this.#wss = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (request, socket, head) => {
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#gateway.accept(ws));
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    fake.#server.listen(0, '127.0.0.1');
    await once(fake.#server, 'listening');
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The value for `DISCORD_API_URL` / `rest.api`. */
  get apiUrl(): string {
    return `${this.origin}/api`;
  }

  /** Number of gateway connections that received READY and are still open. */
  get connectedClients(): number {
    return this.#gateway.connectedClients;
  }

  /** The `[shard_id, shard_count]` of every connection that is ready, sorted. */
  get connectedShards(): [number, number][] {
    return this.#gateway.connectedShards;
  }

  /** The IDENTIFY payloads received, in order. */
  get identifies(): unknown[] {
    return this.#gateway.identifies;
  }

  /** Every dispatch sent after READY (GUILD_CREATE, INTERACTION_CREATE, …), with the shard that got it. */
  get dispatches(): RecordedDispatch[] {
    return this.#gateway.dispatches;
  }

  async close(): Promise<void> {
    this.#gateway.terminateAll();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /**
   * Serves `data` at an attachment URL and returns the resolved attachment object. `size` is the
   * size Discord announces (default: the real one); `behaviour` makes the URL hang.
   */
  addAttachment(
    filename: string,
    data: string | Buffer,
    contentType = 'text/plain; charset=utf-8',
    options: { size?: number; behaviour?: AttachmentBehaviour } = {},
  ) {
    const id = this.#id();
    const buffer = typeof data === 'string' ? Buffer.from(data) : data;
    this.#attachments.set(`/attachments/${id}/${filename}`, {
      data: buffer,
      contentType,
      ...(options.behaviour ? { behaviour: options.behaviour } : {}),
    });
    const url = `${this.origin}/attachments/${id}/${filename}`;
    const size = options.size ?? buffer.length;
    return { id, filename, size, content_type: contentType, url, proxy_url: url, ephemeral: true };
  }

  /** GET requests received for attachment URLs (path only). */
  readonly attachmentDownloads: string[] = [];

  /** The next `times` requests matching `method` and `path` are answered with `status` and `body`. */
  failNext(failure: ScriptedFailure): void {
    this.#failures.push({ ...failure, left: failure.times ?? 1 });
  }

  /** A 429 with Retry-After on the next matching request (for which `when` holds, if given). */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds = 0.3, when?: (request: RecordedRequest) => boolean): void {
    this.failNext({
      method,
      path,
      ...(when ? { when } : {}),
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
      headers: {
        'retry-after': String(retryAfterSeconds),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfterSeconds),
        'x-ratelimit-scope': 'user',
      },
    });
  }

  /**
   * Sends a chat-input command interaction in `guildId` (default {@link FAKE_IDS.guild}) to the
   * connection of that guild's shard, as Discord does; returns its id and token.
   */
  sendCommand(input: {
    name: string;
    options?: CommandOptionInput[];
    userId?: string;
    attachments?: ReturnType<FakeDiscord['addAttachment']>[];
    guildId?: string;
  }): { id: string; token: string } {
    const guildId = input.guildId ?? FAKE_IDS.guild;
    const { id, token } = this.#newInteraction(guildId);
    const attachments = Object.fromEntries((input.attachments ?? []).map((a) => [a.id, a]));
    this.#gateway.dispatch(
      'INTERACTION_CREATE',
      {
        ...this.#interactionBase(id, token, input.userId ?? FAKE_IDS.owner, guildId),
        type: 2,
        data: {
          id: '1700000000000000000',
          name: input.name,
          type: 1,
          guild_id: guildId,
          options: input.options ?? [],
          resolved: { attachments },
        },
      },
      guildId,
    );
    return { id, token };
  }

  /** Clicks a button on `messageId` as `userId`, in the guild of the message's channel. */
  clickButton(input: { customId: string; messageId: string; userId?: string }): { id: string; token: string } {
    const message = this.messages.get(input.messageId);
    const guildId = GUILDS.find((guild) => guild.channelId === message?.channel_id)?.id ?? FAKE_IDS.guild;
    const { id, token } = this.#newInteraction(guildId);
    // For a component interaction the "original" message is the one carrying the button.
    this.#interactions.get(token)!.componentMessageId = input.messageId;
    this.#gateway.dispatch(
      'INTERACTION_CREATE',
      {
        ...this.#interactionBase(id, token, input.userId ?? FAKE_IDS.owner, guildId),
        type: 3,
        data: { custom_id: input.customId, component_type: 2 },
        message: this.#messageJson(
          message ?? {
            id: input.messageId,
            channel_id: channelOfGuild(guildId),
            content: '',
            embeds: [],
            components: [],
            attachments: [],
            files: new Map(),
            flags: 0,
            edits: 0,
          },
        ),
      },
      guildId,
    );
    return { id, token };
  }

  /** The original response message of an interaction, once it exists. */
  originalMessage(token: string): FakeMessage | undefined {
    const id = this.#interactions.get(token)?.originalMessageId;
    return id === undefined ? undefined : this.messages.get(id);
  }

  /** Callback bodies (`type` 4/5/6/7) posted for an interaction. */
  callbacks(interactionId: string): { type: number; data?: Record<string, unknown> }[] {
    return this.requests
      .filter((r) => r.method === 'POST' && r.path.startsWith(`/interactions/${interactionId}/`))
      .map((r) => r.body as { type: number; data?: Record<string, unknown> });
  }

  /** Resolves with the first truthy value of `predicate` (0 and '' do not count), polling every 20 ms. */
  async waitFor<T>(predicate: () => T | undefined | null | false | 0 | '', timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`FakeDiscord: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  // --- internals -------------------------------------------------------------------------------

  #id(): string {
    // Real snowflakes: the creation time is in the top bits, as discord.js reads it.
    this.#counter = (this.#counter + 1n) % 4096n;
    return ((BigInt(Date.now() - 1_420_070_400_000) << 22n) | (1n << 17n) | this.#counter).toString();
  }

  #newInteraction(guildId: string): { id: string; token: string } {
    const id = this.#id();
    const token = `itok-${id}`;
    this.#interactions.set(token, {
      id,
      token,
      createdAt: performance.now(),
      channelId: channelOfGuild(guildId),
      originalMessageId: undefined,
      ephemeral: false,
    });
    return { id, token };
  }

  #interactionBase(id: string, token: string, userId: string, guildId: string) {
    const channelId = channelOfGuild(guildId);
    return {
      id,
      application_id: FAKE_IDS.application,
      token,
      version: 1,
      guild_id: guildId,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: guildId },
      member: {
        user: user(userId),
        roles: [],
        joined_at: '2024-01-01T00:00:00.000Z',
        deaf: false,
        mute: false,
        flags: 0,
        permissions: '2251799813685247',
      },
      app_permissions: '2251799813685247',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: this.attachmentSizeLimit,
    };
  }

  async #readBody(request: IncomingMessage): Promise<{ body: unknown; files: RecordedFile[] }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const contentType = request.headers['content-type'] ?? '';
    if (raw.length === 0) return { body: undefined, files: [] };
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      let body: unknown;
      const files: RecordedFile[] = [];
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          if (field === 'payload_json') body = JSON.parse(value);
        } else {
          files.push({
            field,
            filename: value.name,
            contentType: value.type,
            data: Buffer.from(await value.arrayBuffer()),
          });
        }
      }
      return { body, files };
    }
    return { body: contentType.startsWith('application/json') ? JSON.parse(raw.toString('utf8')) : raw, files: [] };
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const pathname = decodeURIComponent(url.pathname);
    const attachment = this.#attachments.get(pathname);
    if (request.method === 'GET' && attachment) {
      this.attachmentDownloads.push(pathname);
      if (attachment.behaviour === 'hang') return; // closed by close() (closeAllConnections)
      response.writeHead(200, { 'content-type': attachment.contentType, 'content-length': attachment.data.length });
      if (attachment.behaviour === 'stall-body') {
        response.write(attachment.data.subarray(0, Math.max(1, Math.floor(attachment.data.length / 2))));
        return;
      }
      response.end(attachment.data);
      return;
    }
    const prefix = '/api/v10';
    const path = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : pathname;
    const { body, files } = await this.#readBody(request);
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path,
      query: url.searchParams,
      authorization: request.headers.authorization,
      body,
      files,
      at: performance.now(),
      status: 0,
    };
    this.requests.push(record);
    const reply = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (json === undefined) {
        response.writeHead(status, headers);
        response.end();
        return;
      }
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(json));
    };

    const failure = this.#failures.find((f) => f.left > 0 && f.method === record.method && f.path.test(path) && (f.when?.(record) ?? true));
    if (failure) {
      failure.left -= 1;
      reply(failure.status, failure.body, failure.headers ?? {});
      return;
    }
    if (files.some((file) => file.data.length > this.maxUploadBytes)) {
      reply(413, { message: 'Request entity too large', code: 40005 });
      return;
    }

    let match: RegExpMatchArray | null;
    if (record.method === 'GET' && path === '/gateway/bot') {
      reply(200, {
        url: `ws://127.0.0.1:${this.#port}/gateway`,
        shards: this.shards,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: this.maxConcurrency },
      });
      return;
    }
    if ((match = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/)) && record.method === 'POST') {
      const interaction = this.#interactions.get(match[2]!);
      if (!interaction || interaction.id !== match[1]) {
        reply(404, { message: 'Unknown interaction', code: 10062 });
        return;
      }
      const callback = body as { type: number; data?: { flags?: number } & Record<string, unknown> };
      if (callback.type === 4 || callback.type === 5) {
        const message = this.#createMessage(interaction.channelId, callback.type === 4 ? callback.data : {}, files);
        message.flags = callback.data?.flags ?? 0;
        interaction.originalMessageId = message.id;
        interaction.ephemeral = ((callback.data?.flags ?? 0) & 64) !== 0;
      } else if (callback.type === 7) {
        const message = interaction.componentMessageId === undefined ? undefined : this.messages.get(interaction.componentMessageId);
        if (message) this.#editMessage(message, callback.data, files);
      }
      reply(204);
      return;
    }
    if ((match = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/))) {
      const interaction = this.#interactions.get(match[2]!);
      if (!interaction) {
        reply(404, { message: 'Unknown Webhook', code: 10015 });
        return;
      }
      if (performance.now() - interaction.createdAt > this.tokenTtlMs) {
        reply(401, { message: 'Invalid Webhook Token', code: 50027 });
        return;
      }
      const target = match[3];
      if (target === undefined && record.method === 'POST') {
        const message = this.#createMessage(interaction.channelId, body, files);
        reply(200, this.#messageJson(message));
        return;
      }
      const messageId = target === '@original' ? (interaction.originalMessageId ?? interaction.componentMessageId) : target;
      if (messageId === undefined && target === '@original' && record.method === 'PATCH') {
        // Editing the original before any callback: Discord answers 404 Unknown Message.
        reply(404, { message: 'Unknown Message', code: 10008 });
        return;
      }
      const message = messageId === undefined ? undefined : this.messages.get(messageId);
      if (!message) {
        reply(404, { message: 'Unknown Message', code: 10008 });
        return;
      }
      if (record.method === 'PATCH') {
        this.#editMessage(message, body, files);
        reply(200, this.#messageJson(message));
      } else if (record.method === 'GET') reply(200, this.#messageJson(message));
      else if (record.method === 'DELETE') {
        this.messages.delete(message.id);
        reply(204);
      } else reply(405, { message: '405: Method Not Allowed', code: 0 });
      return;
    }
    if ((match = path.match(/^\/channels\/(\d+)\/messages(?:\/(\d+))?$/))) {
      if (record.authorization !== undefined && !record.authorization.startsWith('Bot ')) {
        reply(401, { message: '401: Unauthorized', code: 0 });
        return;
      }
      if (record.authorization === undefined) {
        reply(401, { message: '401: Unauthorized', code: 0 });
        return;
      }
      if (match[2] === undefined && record.method === 'POST') {
        const message = this.#createMessage(match[1]!, body, files);
        reply(200, this.#messageJson(message));
        return;
      }
      const message = match[2] === undefined ? undefined : this.messages.get(match[2]);
      if (!message || message.channel_id !== match[1]) {
        reply(404, { message: 'Unknown Message', code: 10008 });
        return;
      }
      if ((message.flags & 64) !== 0) {
        // Ephemeral responses cannot be edited through the channel route.
        reply(404, { message: 'Unknown Message', code: 10008 });
        return;
      }
      if (record.method === 'PATCH') {
        this.#editMessage(message, body, files);
        reply(200, this.#messageJson(message));
      } else if (record.method === 'GET') reply(200, this.#messageJson(message));
      else reply(405, { message: '405: Method Not Allowed', code: 0 });
      return;
    }
    if ((match = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/)) && record.method === 'PUT') {
      if (record.authorization === undefined) {
        reply(401, { message: '401: Unauthorized', code: 0 });
        return;
      }
      const commands = (body as Record<string, unknown>[]).map((command, index) => ({
        id: `16000000000000000${String(index).padStart(2, '0')}`,
        application_id: match![1],
        version: '1',
        type: 1,
        ...(match![2] === undefined ? {} : { guild_id: match![2] }),
        ...command,
      }));
      this.commands.set(path, commands);
      reply(200, commands);
      return;
    }
    reply(404, { message: `404: Not Found (${record.method} ${path})`, code: 0 });
  }

  #createMessage(channelId: string, body: unknown, files: RecordedFile[]): FakeMessage {
    const message: FakeMessage = {
      id: this.#id(),
      channel_id: channelId,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      files: new Map(),
      flags: 0,
      edits: 0,
    };
    this.messages.set(message.id, message);
    this.#applyBody(message, body, files);
    const flags = (body as { flags?: number } | undefined)?.flags;
    if (typeof flags === 'number') message.flags = flags;
    return message;
  }

  #editMessage(message: FakeMessage, body: unknown, files: RecordedFile[]): void {
    message.edits += 1;
    this.#applyBody(message, body, files);
  }

  #applyBody(message: FakeMessage, body: unknown, files: RecordedFile[]): void {
    const data = (body ?? {}) as {
      content?: string;
      embeds?: unknown[];
      components?: unknown[];
      attachments?: { id: string | number; filename?: string }[];
    };
    if (data.content !== undefined) message.content = data.content;
    if (data.embeds !== undefined) message.embeds = data.embeds;
    if (data.components !== undefined) message.components = data.components;
    if (data.attachments !== undefined || files.length > 0) {
      const kept = message.attachments.filter((a) => (data.attachments ?? []).some((b) => String(b.id) === a.id));
      const keptFiles = new Map([...message.files].filter(([name]) => kept.some((a) => a.filename === name)));
      for (const file of files) {
        const id = this.#id();
        kept.push({
          id,
          filename: file.filename,
          size: file.data.length,
          url: `${this.origin}/attachments/${id}/${file.filename}`,
          content_type: file.contentType,
        });
        keptFiles.set(file.filename, file.data);
        this.#attachments.set(`/attachments/${id}/${file.filename}`, { data: file.data, contentType: file.contentType });
      }
      message.attachments = kept;
      message.files = keptFiles;
    }
  }

  #messageJson(message: FakeMessage) {
    return {
      id: message.id,
      channel_id: message.channel_id,
      type: 0,
      content: message.content,
      author: botUser,
      timestamp: new Date().toISOString(),
      edited_timestamp: message.edits > 0 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments,
      flags: message.flags,
      application_id: FAKE_IDS.application,
    };
  }
}
