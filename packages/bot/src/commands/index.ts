import { Collection } from 'discord.js';
import * as batch from './batch.js';
import type { Command } from './command.js';

export type { BotContext, Command } from './command.js';

/**
 * Every command of the bot, by name. `models` are the summarizer models users may pick
 * (they become the choices of `/batch run model`).
 */
export function loadCommands(models: readonly string[] = []): Collection<string, Command> {
  const commands: Command[] = [{ data: batch.buildBatchCommandData(models), execute: batch.execute, handleButton: batch.handleButton }];
  return new Collection(commands.map((command) => [command.data.name, command]));
}

/** The JSON bodies to register with Discord. */
export function commandData(models: readonly string[] = []) {
  return [...loadCommands(models).values()].map((command) => command.data);
}
