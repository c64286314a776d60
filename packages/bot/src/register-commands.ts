import { REST, Routes } from 'discord.js';
import { commandData } from './commands/index.js';
import type { BotConfig } from './config.js';

/** What {@link registerCommands} did. */
export interface RegisteredCommands {
  /** `guild` when `DISCORD_GUILD_ID` is set (instant, for development), else `global`. */
  scope: 'guild' | 'global';
  /** Names of the commands now registered. */
  names: string[];
}

/**
 * Registers the bot's slash commands with Discord (replacing the whole set), in the guild of
 * `DISCORD_GUILD_ID` when set, else globally; through `DISCORD_API_URL` when set.
 */
export async function registerCommands(config: BotConfig): Promise<RegisteredCommands> {
  const rest = new REST(config.discord.apiUrl === undefined ? {} : { api: config.discord.apiUrl }).setToken(config.discord.token);
  const { applicationId, guildId } = config.discord;
  const route = guildId === undefined ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, guildId);
  const body = commandData(config.summarizer?.models ?? []);
  const result = (await rest.put(route, { body })) as { name: string }[];
  return { scope: guildId === undefined ? 'global' : 'guild', names: result.map((command) => command.name) };
}
