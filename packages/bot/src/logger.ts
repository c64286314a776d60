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

const BAD_TOKEN =
  'Discord refused the bot token in `DISCORD_TOKEN` (401 Unauthorized): copy it again from the Developer Portal ' +
  '(your application > Bot > Reset Token); the client secret and the public key are not the token.';

/**
 * Errors that mean a variable is wrong, said with the variable to fix (the token itself is never
 * shown); `describeError` for the others.
 */
export function describeStartupError(error: unknown): string {
  if (error instanceof DiscordAPIError && error.status === 401) return BAD_TOKEN;
  if (error instanceof Error && (error as { code?: unknown }).code === 'TokenInvalid') return BAD_TOKEN;
  if (error instanceof DiscordAPIError && error.code === 10002) {
    return 'Discord knows no application with the id in `DISCORD_APPLICATION_ID` (Unknown Application): copy it from the Developer Portal (your application > General Information > Application ID).';
  }
  return describeError(error);
}
