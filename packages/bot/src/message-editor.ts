import { DiscordAPIError, Routes } from 'discord.js';
import type { RawFile, REST } from 'discord.js';
import type { Logger } from './logger.js';
import { describeError, silentLogger } from './logger.js';
import type { RenderedMessage } from './progress-message.js';

/** Where a progress message lives and how it can be reached. */
export interface MessageLocation {
  applicationId: string;
  channelId: string;
  /** Known once the first edit of the interaction response returned it. */
  messageId: string | undefined;
  /** The interaction token; editing through it needs no channel permission. Undefined once unusable. */
  interactionToken: string | undefined;
  /** When the interaction was created (epoch milliseconds). */
  interactionCreatedAt: number;
}

export interface MessageEditorOptions {
  /** The REST client with the bot token (`client.rest`). */
  rest: REST;
  location: MessageLocation;
  /** At most one edit per this many milliseconds. @default 2500 */
  intervalMs?: number;
  /**
   * Progress edits wait up to this much longer than the interval, at random, so the messages of
   * many batches are not edited in lockstep. @default a fifth of `intervalMs`
   */
  jitterMs?: number;
  /** A number in [0, 1), for the jitter. @default Math.random */
  random?: () => number;
  /** How long the interaction token is used before switching to the channel route. @default 840000 */
  tokenLifetimeMs?: number;
  /** How often the final edit is tried when Discord keeps failing. @default 5 */
  finalAttempts?: number;
  /** Called whenever the location changed: the message id became known, the token was dropped, a new message was posted. */
  onLocationChange?: (location: MessageLocation) => void | Promise<void>;
  logger?: Logger;
  /** @default Date.now */
  now?: () => number;
}

/** Discord's "Maximum number of edits to messages older than 1 hour reached". */
const EDIT_CAP_REACHED = 30046;
const INVALID_WEBHOOK_TOKEN = 50027;
const UNKNOWN_WEBHOOK = 10015;
const UNKNOWN_MESSAGE = 10008;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How long a progress edit waits: until the interval since the last edit has passed, plus a
 * random share of `jitterMs`, so editors that ended together do not edit together again.
 */
export function progressEditDelay(options: { lastEndedAt: number; intervalMs: number; jitterMs: number; now: number; random: number }): number {
  const { lastEndedAt, intervalMs, jitterMs, now, random } = options;
  return Math.max(0, lastEndedAt + intervalMs - now) + Math.floor(random * jitterMs);
}

/**
 * Edits one message in place under Discord's rules: at most one edit per interval, only when the
 * content changed, and always a final one. Uses the interaction token while it lives, then the
 * channel route with the bot token; when Discord refuses more edits (30046) or the message is gone,
 * it posts a new message and carries on there. 429s are waited out by the REST client.
 */
export class MessageEditor {
  readonly #rest: REST;
  readonly #intervalMs: number;
  readonly #jitterMs: number;
  readonly #random: () => number;
  readonly #tokenLifetimeMs: number;
  readonly #finalAttempts: number;
  readonly #onLocationChange: MessageEditorOptions['onLocationChange'];
  readonly #logger: Logger;
  readonly #now: () => number;
  #location: MessageLocation;
  #pending: RenderedMessage | undefined;
  #lastSentKey: string | undefined;
  #lastEndedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #ended = false;

  constructor(options: MessageEditorOptions) {
    this.#rest = options.rest;
    this.#location = { ...options.location };
    this.#intervalMs = options.intervalMs ?? 2_500;
    this.#jitterMs = options.jitterMs ?? Math.round(this.#intervalMs / 5);
    this.#random = options.random ?? Math.random;
    this.#tokenLifetimeMs = options.tokenLifetimeMs ?? 14 * 60_000;
    this.#finalAttempts = options.finalAttempts ?? 5;
    this.#onLocationChange = options.onLocationChange;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
  }

  get location(): MessageLocation {
    return { ...this.#location };
  }

  /**
   * Sends `message` now (waiting out the interval since the last edit and any edit in flight),
   * e.g. the first render. Does nothing once {@link finish} or {@link stop} was called.
   */
  async editNow(message: RenderedMessage): Promise<void> {
    if (this.#ended) return;
    this.#pending = message;
    // A scheduled edit may start while we wait: wait for it too, then send what is newest.
    while (this.#inFlight !== undefined || this.#lastEndedAt + this.#intervalMs > this.#now()) {
      this.#clearTimer();
      await this.#inFlight;
      await this.#waitInterval();
    }
    this.#clearTimer();
    if (this.#ended) return;
    await this.#run();
  }

  /** Queues `message`; it is sent when the interval allows, unless a newer one replaces it first. */
  update(message: RenderedMessage): void {
    if (this.#ended) return;
    this.#pending = message;
    this.#schedule();
  }

  /** Sends the final state (with `files`), retrying until it is delivered; no edit follows it. */
  async finish(message: RenderedMessage, files: RawFile[] = []): Promise<void> {
    this.#ended = true;
    this.#pending = undefined;
    this.#clearTimer();
    await this.#inFlight;
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#finalAttempts; attempt++) {
      await this.#waitInterval();
      try {
        await this.#send(message, files);
        this.#lastSentKey = JSON.stringify(message);
        return;
      } catch (error) {
        lastError = error;
        this.#lastEndedAt = this.#now();
        if (error instanceof DiscordAPIError && error.status >= 400 && error.status < 500) throw error;
        this.#logger.warn(`final edit failed (attempt ${attempt}): ${describeError(error)}`);
        await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)));
      }
    }
    throw lastError;
  }

  /** Posts another message in the same place (ZIP parts): a follow-up while the token lives, else in the channel. */
  async postAnother(message: RenderedMessage, files: RawFile[] = []): Promise<void> {
    const { applicationId, interactionToken, channelId } = this.#location;
    if (interactionToken !== undefined && this.#tokenAlive()) {
      try {
        await this.#rest.post(Routes.webhook(applicationId, interactionToken), {
          body: message,
          files,
          auth: false,
          query: new URLSearchParams({ wait: 'true' }),
        });
        return;
      } catch (error) {
        if (!this.#isDeadToken(error)) throw error;
        await this.#dropToken();
      }
    }
    await this.#rest.post(Routes.channelMessages(channelId), { body: message, files });
  }

  /** Stops pending edits (shutdown); the next process picks the message up again. */
  stop(): void {
    this.#ended = true;
    this.#pending = undefined;
    this.#clearTimer();
  }

  /** Waits for the edit in flight, if any. */
  async idle(): Promise<void> {
    await this.#inFlight;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #waitInterval(): Promise<void> {
    const wait = this.#lastEndedAt + this.#intervalMs - this.#now();
    if (wait > 0) await sleep(wait);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#inFlight !== undefined || this.#pending === undefined) return;
    const delay = progressEditDelay({
      lastEndedAt: this.#lastEndedAt,
      intervalMs: this.#intervalMs,
      jitterMs: this.#jitterMs,
      now: this.#now(),
      random: this.#random(),
    });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Fire and forget: #run logs a failed edit and schedules a retry itself.
      void this.#run();
    }, delay);
  }

  async #run(): Promise<void> {
    // While an edit is in flight the pending state stays queued: that edit reschedules it.
    if (this.#inFlight !== undefined) return;
    const message = this.#pending;
    this.#pending = undefined;
    if (message === undefined) return;
    const key = JSON.stringify(message);
    if (key === this.#lastSentKey) return;
    const attempt = (async () => {
      try {
        await this.#send(message, []);
        this.#lastSentKey = key;
      } catch (error) {
        this.#logger.warn(`progress edit failed, will retry: ${describeError(error)}`);
        // Keep the newest state: retry it unless something newer arrived meanwhile.
        this.#pending ??= message;
      } finally {
        this.#lastEndedAt = this.#now();
        this.#inFlight = undefined;
      }
    })();
    this.#inFlight = attempt;
    await attempt;
    if (!this.#ended) this.#schedule();
  }

  #tokenAlive(): boolean {
    return this.#now() < this.#location.interactionCreatedAt + this.#tokenLifetimeMs;
  }

  #isDeadToken(error: unknown): boolean {
    return error instanceof DiscordAPIError && (error.code === INVALID_WEBHOOK_TOKEN || error.code === UNKNOWN_WEBHOOK || error.status === 401);
  }

  async #dropToken(): Promise<void> {
    if (this.#location.interactionToken === undefined) return;
    this.#logger.info(`interaction token expired; editing message ${this.#location.messageId ?? '?'} through the channel`);
    this.#location = { ...this.#location, interactionToken: undefined };
    await this.#onLocationChange?.(this.location);
  }

  async #send(message: RenderedMessage, files: RawFile[]): Promise<void> {
    const body = files.length > 0 ? { ...message, attachments: files.map((file, id) => ({ id, filename: file.name })) } : message;
    const { applicationId, interactionToken, channelId, messageId } = this.#location;
    if (interactionToken !== undefined && (this.#tokenAlive() || messageId === undefined)) {
      try {
        const result = (await this.#rest.patch(Routes.webhookMessage(applicationId, interactionToken, '@original'), {
          body,
          files,
          auth: false,
        })) as { id: string; channel_id: string };
        if (this.#location.messageId !== result.id) {
          this.#location = { ...this.#location, messageId: result.id, channelId: result.channel_id };
          await this.#onLocationChange?.(this.location);
        }
        return;
      } catch (error) {
        if (!this.#isDeadToken(error)) throw error;
      }
    }
    if (this.#location.interactionToken !== undefined) await this.#dropToken();
    if (messageId === undefined) {
      await this.#postReplacement(body, files, 'the original response was never created');
      return;
    }
    try {
      await this.#rest.patch(Routes.channelMessage(channelId, messageId), { body, files });
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === EDIT_CAP_REACHED || error.code === UNKNOWN_MESSAGE)) {
        await this.#postReplacement(
          body,
          files,
          error.code === EDIT_CAP_REACHED ? 'Discord refuses more edits of this old message (30046)' : 'the message is gone',
        );
        return;
      }
      throw error;
    }
  }

  async #postReplacement(body: unknown, files: RawFile[], why: string): Promise<void> {
    const result = (await this.#rest.post(Routes.channelMessages(this.#location.channelId), { body, files })) as {
      id: string;
    };
    this.#logger.info(`posted a new progress message ${result.id}: ${why}`);
    this.#location = { ...this.#location, messageId: result.id };
    await this.#onLocationChange?.(this.location);
  }
}
