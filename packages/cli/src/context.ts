import { basename, isAbsolute, relative } from 'node:path';
import { shellQuote } from './config.js';
import type { FetchFunction } from '@tubesum/core';
import type { Environment } from './config.js';
import type { Output } from './output.js';

/** Everything a command touches outside itself, so it can run in a test or a real terminal. */
export interface CliContext extends Output {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Environment;
  cwd: string;
  /** Calls `listener` on every Ctrl-C (SIGINT); returns a function that stops listening. */
  onInterrupt(listener: () => void): () => void;
  /**
   * Calls `listener` when the process is asked to stop (SIGTERM: systemd, Docker, Kubernetes);
   * returns a function that stops listening. Absent: only Ctrl-C stops a command.
   */
  onTerminate?(listener: () => void): () => void;
  /** Ends the process at once (the second Ctrl-C). */
  exit(code: number): never;
  /**
   * How the person started tubesum (`tubesum`, `npx tubesum`, `node packages/cli/dist/main.js`),
   * so the commands the CLI suggests work when pasted. @default 'tubesum'
   */
  invocation?: string;
  /**
   * Performs every request to YouTube (transcripts, playlists, channels): for tests and proxies.
   * @default globalThis.fetch
   */
  fetch?: FetchFunction;
}

/** The command the person typed to start this process, as {@link CliContext.invocation}. */
export function invocationOf(script: string | undefined, execArgv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string {
  if (script === undefined) return 'tubesum';
  const name = basename(script).replace(/\.(cmd|ps1|exe)$/i, '');
  if (name === 'tubesum') return env['npm_command'] === 'exec' ? 'npx tubesum' : 'tubesum';
  const shown = relative(cwd, script);
  const path = shown === '' || shown.startsWith('..') || isAbsolute(shown) ? script : shown;
  return ['node', ...execArgv.map(shellQuote), shellQuote(path)].join(' ');
}

/** The context of the real process. */
export function processContext(): CliContext {
  // `tubesum run … --json | head`: a reader that goes away is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(listener) {
      process.on('SIGINT', listener);
      return () => process.removeListener('SIGINT', listener);
    },
    onTerminate(listener) {
      process.on('SIGTERM', listener);
      return () => process.removeListener('SIGTERM', listener);
    },
    exit(code) {
      process.exit(code);
    },
    invocation: invocationOf(process.argv[1], process.execArgv, process.env, process.cwd()),
  };
}
