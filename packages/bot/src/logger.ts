import { DiscordAPIError } from 'discord.js';

/** Where the bot writes what happened. Messages never contain the bot token or interaction tokens. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes timestamped lines to stdout / stderr. */
export const consoleLogger: Logger = {
  info: (message) => console.log(`${new Date().toISOString()} info  ${message}`),
  warn: (message) => console.warn(`${new Date().toISOString()} warn  ${message}`),
  error: (message) => console.error(`${new Date().toISOString()} error ${message}`),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * A one-line description of an error that is safe to log: Discord errors are described by
 * method, status and code only, because their URL carries the interaction token.
 */
export function describeError(error: unknown): string {
  if (error instanceof DiscordAPIError) {
    return `Discord ${error.method.toUpperCase()} answered ${error.status} (code ${String(error.code)}): ${error.message}`;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
  }
  return String(error);
}
