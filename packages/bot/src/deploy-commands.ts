#!/usr/bin/env node
// Registers the slash commands: `tubesum-bot-deploy-commands` (or `pnpm --filter @tubesum/bot deploy-commands`).
// Reads the same environment as the bot; DISCORD_GUILD_ID registers them in one guild only (instant).
import { loadConfig } from './config.js';
import { describeStartupError } from './logger.js';
import { registerCommands } from './register-commands.js';

try {
  const config = loadConfig();
  const { scope, names } = await registerCommands(config);
  console.log(
    scope === 'guild'
      ? `Registered ${names.map((n) => `/${n}`).join(', ')} in guild ${config.discord.guildId}.`
      : `Registered ${names.map((n) => `/${n}`).join(', ')} globally (they can take up to an hour to appear).`,
  );
} catch (error) {
  console.error(`Could not register the commands: ${describeStartupError(error)}`);
  process.exitCode = 1;
}
