// The public API of @tubesum/bot.
export { createBot } from './bot.js';
export type { Bot, BotDependencies } from './bot.js';
export { loadConfig, CONFIG_VARIABLES } from './config.js';
export type { BotConfig, SummarizerConfig } from './config.js';
export { buildBatchCommandData, data as batchCommandData } from './commands/batch.js';
export { commandData, loadCommands } from './commands/index.js';
export type { BotContext, Command } from './commands/index.js';
export { registerCommands } from './register-commands.js';
export type { RegisteredCommands } from './register-commands.js';
export { consoleLogger } from './logger.js';
export type { Logger } from './logger.js';
