import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleScript } from '@tubesum/test-support';
import { tempDir } from '@tubesum/test-support/temp-dir';

/** The repository root: the CLI runs from here, so `examples/…` paths work as in the README. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI's sources (packages/cli/src/main.ts and what it imports), bundled into one script: no build needed, and no tsx in each child. */
const MAIN = await bundleScript(join(ROOT, 'packages/cli/src/main.ts'));

/** How the spawned CLI sees itself started: the hints it prints begin with this. */
export const INVOCATION = `node ${relative(ROOT, MAIN)}`;

/** Variables of the machine running the tests that would change what the CLI does. */
const CLEARED = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'TUBESUM_PROXY', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process exits. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Output so far. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout matches `pattern`. */
  waitForStdout: (pattern: RegExp) => Promise<RegExpMatchArray>;
}

/** A fresh HOME with its own store, so tests never touch the real ~/.tubesum; removed after the test (or the suite) that made it. */
export function tempHome(): { home: string; store: string } {
  const home = tempDir('tubesum-cli-');
  return { home, store: join(home, 'store.sqlite') };
}

/** The environment of a spawned CLI: a fresh HOME, no keys or proxies of the machine, then `env`. */
function cliEnvironment(options: { home: string; store?: string; env?: Record<string, string> }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: options.home };
  for (const name of CLEARED) delete env[name];
  Object.assign(env, options.env);
  if (options.store === undefined) delete env.TUBESUM_STORE;
  else env.TUBESUM_STORE = options.store;
  return env;
}

/**
 * Runs `tubesum <args>` to the end in a pseudo-terminal (util-linux `script`), so stdout is a
 * terminal as a person's is: the progress bar is drawn. Returns everything the terminal showed.
 */
export function runCliInTerminal(
  args: readonly string[],
  options: { home: string; store?: string; env?: Record<string, string> },
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, MAIN, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...cliEnvironment(options), COLUMNS: '120', LINES: '40' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stdin.end();
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

/**
 * Starts `tubesum <args>` from the TypeScript sources (bundled, no build needed) in a child process
 * with stdout and stderr piped (so not a terminal: plain output).
 */
export function startCli(args: readonly string[], options: { home: string; store?: string; input?: string; env?: Record<string, string> }): CliRun {
  const env = cliEnvironment(options);
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of [...waiters]) {
      const match = stdout.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (options.input === undefined) child.stdin!.end();
  else child.stdin!.end(options.input);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child,
    done,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout: (pattern) =>
      new Promise((resolve, reject) => {
        const match = stdout.match(pattern);
        if (match) return resolve(match);
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`exited before stdout matched ${pattern}:\n${stdout}\n${stderr}`)));
      }),
  };
}

/** Runs `tubesum <args>` to the end. */
export function runCli(args: readonly string[], options: Parameters<typeof startCli>[1]) {
  return startCli(args, options).done;
}
