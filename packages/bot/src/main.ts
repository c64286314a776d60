#!/usr/bin/env node
// Starts the bot from the environment: `tubesum-bot` (or `pnpm --filter @tubesum/bot start`).
// SIGINT / SIGTERM stop it gracefully; running batches resume, in the same message, on the next start.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createBot } from './bot.js';
import { loadConfig } from './config.js';
import { consoleLogger, describeError, describeStartupError } from './logger.js';

/** The folder of a SQLite store URL or path, created before opening it. */
function sqliteFolder(store: string): string | undefined {
  if (/^(memory|redis|rediss|postgres|postgresql):/i.test(store)) return undefined;
  const path = store.replace(/^sqlite:\/\//i, '').replace(/^file:\/\//i, '');
  return path === '' ? undefined : dirname(path);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const folder = sqliteFolder(config.store);
  if (folder !== undefined) mkdirSync(folder, { recursive: true });
  const bot = await createBot(config, { logger: consoleLogger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info(`${signal} received, stopping (running batches resume on the next start)`);
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        consoleLogger.error(`stopping failed: ${describeError(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  await bot.start();
}

main().catch((error: unknown) => {
  consoleLogger.error(describeStartupError(error));
  process.exit(1);
});
