import type { ButtonInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { BatchMessages } from '../batch-messages.js';
import type { BotConfig } from '../config.js';
import type { KeyedLock } from '../keyed-lock.js';
import type { Logger } from '../logger.js';
import type { ProcessorPool } from '../processor-pool.js';

/** What a command handler can reach. */
export interface BotContext {
  config: BotConfig;
  /** Undefined when no summarizer is configured. */
  pool: ProcessorPool | undefined;
  /** Undefined when no summarizer is configured. */
  messages: BatchMessages | undefined;
  logger: Logger;
  /** Used to download attachments. */
  fetch: typeof fetch;
  /** Held per user from counting their running batches to submitting a new one. */
  admission: KeyedLock;
}

/** A slash command as a data module: its definition and its handler. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void>;
  /** Handles a button of this command; returns false when the button is not its own. */
  handleButton?(interaction: ButtonInteraction, context: BotContext): Promise<boolean>;
}
