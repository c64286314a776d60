import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { DEFAULT_ANTHROPIC_MODEL, ErrorCode, isTubesumError } from '@tubesum/core';
import { exportCommand } from './commands/export.js';
import { listCommand } from './commands/list.js';
import { resumeCommand } from './commands/resume.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';
import type { CliContext } from './context.js';
import { CliError, ExitCode } from './exit-code.js';
import { oneLine } from './render/format.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The examples under `run --help`, with the command as the person typed it. */
function runExamples(tubesum: string): string {
  return `
Examples:
  $ ${tubesum} run urls.txt                          # one URL per line (# comments allowed)
  $ ${tubesum} run https://youtu.be/VIDEO_ID https://www.youtube.com/watch?v=OTHER_ID
  $ cat urls.txt | ${tubesum} run --length short --out summaries.zip
  $ ${tubesum} run urls.txt --transcripts ./captions --offline
  $ ${tubesum} run urls.txt --proxy http://user:password@proxy.example:8080

Summarizer: Anthropic when ANTHROPIC_API_KEY is set (--model), an OpenAI-compatible
server with --openai-url and --openai-model (OPENAI_API_KEY if it needs one), else the
offline extractive summarizer (--offline). Batches are kept in ~/.tubesum/store.sqlite
(--store or TUBESUM_STORE to change it), so Ctrl-C and \`${tubesum} resume <id>\` lose nothing.
YouTube blocking this machine? --proxy (or TUBESUM_PROXY, HTTPS_PROXY), or --transcripts.`;
}

/** The examples under `worker --help`. */
function workerExamples(tubesum: string): string {
  return `
Examples:
  $ ${tubesum} worker --queue redis://10.0.0.5:6379 --offline
  $ ANTHROPIC_API_KEY=… TUBESUM_QUEUE_URL=redis://:password@10.0.0.5:6379 ${tubesum} worker --global-summaries 16
  $ ${tubesum} run urls.txt --queue redis://10.0.0.5:6379     # on any machine: submit and follow

Every worker and submitter must use the same Redis, --queue-prefix and store (the store defaults
to the queue's Redis). Run one worker per machine or IP (YouTube limits per IP), as many as you
like. SIGTERM or Ctrl-C: the worker takes no new video and finishes the ones in hand.`;
}

/** Options of `run` and `resume` that build the processor. */
function addProcessorOptions(command: Command): Command {
  return addQueueOptions(addSourceOptions(command), 'send the videos to `tubesum worker` processes through this Redis (BullMQ) and follow them there')
    .option(
      '--batch-api',
      "send the summaries through Anthropic's Message Batches API: half the price, results usually within an hour (at most 24 h); pass it to resume too",
    )
    .option('--concurrency <n>', 'summaries at once; transcripts stay at 2 at once to spare YouTube (default: 4)')
    .option(
      '--store <url>',
      "where batches are kept: a SQLite path, sqlite://, redis://, postgres:// (default: ~/.tubesum/store.sqlite, or TUBESUM_STORE; with --queue, the queue's Redis)",
    )
    .option('--json', 'print newline-delimited JSON events instead of a progress bar');
}

/** `--queue` and `--queue-prefix`, of `run`, `resume` and `worker`. */
function addQueueOptions(command: Command, what: string): Command {
  return command
    .option('--queue <url>', `${what} (default: TUBESUM_QUEUE_URL; the password is never printed)`)
    .option('--queue-prefix <name>', 'Redis key prefix shared by submitters and workers (default: tubesum)');
}

/** The summarizer and transcript options of `run`, for `worker` too. */
function addSourceOptions(command: Command): Command {
  return command
    .option('--transcripts <dir>', 'read transcripts from files named <videoId>.vtt/.srt/.json3/.txt in <dir> before asking YouTube')
    .option('--no-youtube', 'never contact YouTube: transcripts only from --transcripts')
    .option('--any-transcript-language', 'when a video has no transcript in the wanted languages, take one in any language')
    .option(
      '--proxy <url>',
      'send YouTube requests through this http(s) proxy; the password is never printed (default: TUBESUM_PROXY, else HTTPS_PROXY with NO_PROXY)',
    )
    .option('--offline', 'use the offline extractive summarizer: no API key, no summarizer API (transcripts still come from YouTube unless --no-youtube)')
    .option('--model <id>', `Anthropic model, needs ANTHROPIC_API_KEY (default: ${DEFAULT_ANTHROPIC_MODEL})`)
    .option('--openai-url <url>', 'base URL of an OpenAI-compatible server (Ollama: http://127.0.0.1:11434/v1)')
    .option('--openai-model <name>', 'model name on the OpenAI-compatible server')
    .option('--context-tokens <n>', 'context window of the OpenAI-compatible model as the server runs it; longer transcripts are chunked (default: 4096)');
}

/** Builds the `tubesum` program; `setExitCode` receives each command's result. */
export function createProgram(context: CliContext, setExitCode: (code: ExitCode) => void): Command {
  const tubesum = context.invocation ?? 'tubesum';
  const program = new Command('tubesum')
    .description('Summarize many YouTube videos at once into a ZIP of Markdown files.')
    .version(version, '-v, --version')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: () => {},
    });

  addProcessorOptions(
    program
      .command('run')
      .description('summarize the videos of files, URLs or stdin, and write a ZIP')
      .argument('[inputs...]', 'files of URLs, YouTube URLs or ids, or - for stdin (stdin is read when nothing is given and it is piped)')
      .option('-o, --out <file>', 'where to write the ZIP (default: ./tubesum-<id>.zip)')
      .option('--with-transcripts', 'add each transcript to the ZIP, as text with [mm:ss] marks and as SRT')
      .option('-n, --name <name>', 'a name for the batch, shown in the ZIP')
      .option('-l, --length <length>', 'summary length: short, standard or detailed (default: standard)')
      .option('--language <code>', "language of the summaries (default: each video's own)")
      .option('--transcript-languages <codes>', 'transcript languages in order of preference, e.g. en,de (default: en)')
      .option('--max-videos <n>', 'with playlist or channel links, take at most <n> videos in all; the rest is listed as not taken (default: 500)')
      .option('--channel-content <kind>', 'for channel links: all uploads, or only videos, shorts or live (default: all)'),
  )
    .addHelpText('after', runExamples(tubesum))
    .action(async (inputs: string[], flags) => setExitCode(await runCommand(inputs, flags, context)));

  addProcessorOptions(
    program
      .command('resume')
      .description('continue an interrupted batch and write its ZIP')
      .argument('<id>', 'batch id (or a unique prefix of it)')
      .option('-o, --out <file>', 'where to write the ZIP (default: ./tubesum-<id>.zip)')
      .option('--with-transcripts', 'add each transcript to the ZIP, as text with [mm:ss] marks and as SRT'),
  ).action(async (id: string, flags) => setExitCode(await resumeCommand(id, flags, context)));

  addQueueOptions(addSourceOptions(program.command('worker')), 'the Redis the submitters send videos to (required)')
    .description('take videos from a queue (submitted by `run --queue` or the bot) and summarize them, until Ctrl-C or SIGTERM')
    .option('--store <url>', "the submitters' store, redis:// or postgres:// (default: TUBESUM_STORE, else the queue's Redis)")
    .option('--concurrency-transcripts <n>', 'transcripts this worker fetches at once; YouTube limits per IP (default: 2)')
    .option('--concurrency-summaries <n>', 'summaries this worker writes at once (default: 4)')
    .option('--global-summaries <n>', "summaries at once across all workers, for an API key's limit (default: no cluster-wide limit)")
    .addHelpText('after', workerExamples(tubesum))
    .action(async (flags) => setExitCode(await workerCommand(flags, context)));

  program
    .command('list')
    .description('list the batches in the store, newest first')
    .option('--store <url>', 'the store (default: ~/.tubesum/store.sqlite, or TUBESUM_STORE)')
    .option('--json', 'one JSON object per batch and line')
    .action(async (flags) => setExitCode(await listCommand(flags, context)));

  program
    .command('status')
    .description('show a batch and each of its videos')
    .argument('<id>', 'batch id (or a unique prefix of it)')
    .option('--store <url>', 'the store (default: ~/.tubesum/store.sqlite, or TUBESUM_STORE)')
    .option('--json', 'print { job, items } as JSON')
    .action(async (id: string, flags) => setExitCode(await statusCommand(id, flags, context)));

  program
    .command('export')
    .description('write the ZIP of a batch, finished or not')
    .argument('<id>', 'batch id (or a unique prefix of it)')
    .option('-o, --out <file>', 'where to write the ZIP (default: ./tubesum-<id>.zip)')
    .option('--with-transcripts', 'add each transcript to the ZIP, as text with [mm:ss] marks and as SRT')
    .option('--store <url>', 'the store (default: ~/.tubesum/store.sqlite, or TUBESUM_STORE)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, flags) => setExitCode(await exportCommand(id, flags, context)));

  return program;
}

const USAGE_CODES = new Set<string>([ErrorCode.INVALID_OPTIONS, ErrorCode.INVALID_URL, ErrorCode.NOT_FOUND]);

/** Prints `error` as one line (plus the stack with `--debug`) and returns the exit code. */
export function reportError(error: unknown, context: CliContext, debug: boolean): ExitCode {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return ExitCode.OK; // --help, --version
    // `tubesum` alone: the help is already printed (on stderr); commander's "(outputHelp)" is not for people.
    if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return ExitCode.USAGE;
    const message = oneLine(error.message.replace(/^error:\s*/i, ''));
    context.stderr.write(`tubesum: ${message} (see \`${context.invocation ?? 'tubesum'} --help\`)\n`);
    return ExitCode.USAGE;
  }
  let exitCode: ExitCode = ExitCode.FAILED;
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof CliError) exitCode = error.exitCode;
  else if (isTubesumError(error)) {
    exitCode = USAGE_CODES.has(error.code) ? ExitCode.USAGE : ExitCode.FAILED;
    message = `${message} [${error.code}]`;
  }
  context.stderr.write(`tubesum: ${oneLine(message)}\n`);
  if (debug) {
    let current: unknown = error;
    while (current instanceof Error) {
      context.stderr.write(`${current.stack ?? current.message}\n`);
      current = current.cause;
      if (current !== undefined) context.stderr.write('Caused by: ');
    }
    if (current !== undefined && !(current instanceof Error)) context.stderr.write(`${String(current)}\n`);
  }
  return exitCode;
}

/** Runs `tubesum` with `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.OK;
  const program = createProgram(context, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, context, argv.includes('--debug'));
  }
}
