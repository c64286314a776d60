import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './exit-code.js';

/** Where `tubesum run` reads its input from. */
export interface InputSources {
  /** The positional arguments: URLs, files of URLs, or `-` for stdin. */
  args: readonly string[];
  /** Standard input. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  cwd: string;
}

/** Lines starting with `#` are comments in URL files and on stdin. */
function dropComments(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Something that was meant as a file name rather than a URL. */
function looksLikeFileName(arg: string): boolean {
  return !/youtu\.?be|^[\w-]{11}$/i.test(arg) && (/\.(txt|md|csv|list|lst)$/i.test(arg) || /^\.{0,2}[/\\]/.test(arg));
}

/**
 * Gathers the text of every input: each argument is a file of URLs (when such a file exists),
 * `-` (stdin) or a URL itself; with no argument, stdin when it is not a terminal.
 * The result goes to `parseUrlList`, which splits, validates and dedupes.
 */
export async function readUrlInputs({ args, stdin, cwd }: InputSources): Promise<string> {
  const texts: string[] = [];
  let stdinRead = false;
  const readStdin = async () => {
    if (stdinRead) return;
    stdinRead = true;
    texts.push(dropComments(await readAll(stdin)));
  };

  if (args.length === 0) {
    if (stdin.isTTY) {
      throw new CliError('Give YouTube URLs, a file of URLs, or `-` to read them from stdin (see `tubesum run --help`).');
    }
    await readStdin();
  }
  for (const arg of args) {
    if (arg === '-') {
      await readStdin();
      continue;
    }
    const path = resolve(cwd, arg);
    if (await isFile(path)) {
      texts.push(dropComments(await readFile(path, 'utf8')));
    } else if (looksLikeFileName(arg)) {
      throw new CliError(`No such file: ${arg}`);
    } else {
      texts.push(arg);
    }
  }
  return texts.join('\n');
}
