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
  /** How the person started tubesum, for hints. @default 'tubesum' */
  invocation?: string | undefined;
}

/** Lines starting with `#` are comments in URL files and on stdin. */
function dropComments(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * The text of a URL list: UTF-8 (a byte-order mark dropped) or UTF-16 with a byte-order mark;
 * undefined when the bytes are not text (NUL bytes, many control bytes, invalid UTF-8).
 */
export function decodeTextFile(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = bytes.subarray(0, 8192);
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return undefined;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20) || byte === 0x7f) control += 1;
  }
  if (control / Math.max(1, head.length) > 0.1) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

async function kindOf(path: string): Promise<'file' | 'directory' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** Something that was meant as a file name rather than a URL. */
function looksLikeFileName(arg: string): boolean {
  return !/youtu\.?be|^[\w-]{11}$/i.test(arg) && (/\.(txt|md|csv|list|lst)$/i.test(arg) || /^\.{0,2}[/\\]/.test(arg));
}

/** The text of a URL file or of stdin, or a usage error when it is not text. */
function textOf(bytes: Buffer, name: string): string {
  const text = decodeTextFile(bytes);
  if (text === undefined) throw new CliError(`${name} is not a text file: give a file with one YouTube URL per line.`);
  return dropComments(text);
}

/**
 * Gathers the text of every input: each argument is a file of URLs (when such a file exists),
 * `-` (stdin) or a URL itself; with no argument, stdin when it is not a terminal. A folder or
 * a file that is not text is a usage error. The result goes to `parseUrlList`, which splits,
 * validates and dedupes.
 */
export async function readUrlInputs({ args, stdin, cwd, invocation = 'tubesum' }: InputSources): Promise<string> {
  const texts: string[] = [];
  let stdinRead = false;
  const readStdin = async () => {
    if (stdinRead) return;
    stdinRead = true;
    texts.push(textOf(await readAll(stdin), 'The standard input'));
  };

  if (args.length === 0) {
    if (stdin.isTTY) {
      throw new CliError(`Give YouTube URLs, a file of URLs, or \`-\` to read them from stdin (see \`${invocation} run --help\`).`);
    }
    await readStdin();
  }
  for (const arg of args) {
    if (arg === '-') {
      await readStdin();
      continue;
    }
    const path = resolve(cwd, arg);
    const kind = await kindOf(path);
    if (kind === 'directory') {
      throw new CliError(`${arg} is a directory: give a file with one YouTube URL per line (a folder of transcripts goes to \`--transcripts\`).`);
    }
    if (kind === 'file') {
      texts.push(textOf(await readFile(path), arg));
    } else if (looksLikeFileName(arg)) {
      throw new CliError(`No such file: ${arg}`);
    } else {
      texts.push(arg);
    }
  }
  return texts.join('\n');
}

/** Inputs that are a bare 11-character word, which intake reads as a video id: worth saying so. */
export function bareVideoIds(videos: readonly { input: string; videoId: string }[]): string[] {
  return videos.filter((video) => video.input.trim() === video.videoId).map((video) => video.videoId);
}
