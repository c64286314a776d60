import { ErrorCode, isTubesumError, parseUrlList } from '@tubesum/core';
import type { BatchProcessor, JobSnapshot } from '@tubesum/core';
import { LOCAL_USER_ID, resolveRunConfig, resumeHint } from '../config.js';
import type { RunFlags } from '../config.js';
import type { CliContext } from '../context.js';
import { createCliProcessor } from '../create-processor.js';
import { CliError, ExitCode } from '../exit-code.js';
import { attachRenderer, followJob } from '../follow-job.js';
import { bareVideoIds, readUrlInputs } from '../input.js';
import { checkOut } from '../zip-output.js';
import { describeListExpansion, oneLine, plural } from '../render/format.js';
import { createRenderer, renderModeFor } from '../render/create-renderer.js';
import { proxyNotice } from '@tubesum/proxy';
import { queueNotice, withQueue } from '../queue-config.js';
import type { QueueFlags } from '../queue-config.js';
import type { Renderer } from '../render/types.js';

export interface RunCommandFlags extends RunFlags, QueueFlags {
  json?: boolean;
  withTranscripts?: boolean;
}

/** Tells the person what was skipped (rejected inputs with their reason, duplicates), the notes on inputs, and which bare words became video ids. */
function reportIntake(job: JobSnapshot, text: string, renderer: Renderer): void {
  for (const rejected of job.rejected) renderer.notice(`Skipped ${oneLine(rejected.input)}: ${oneLine(rejected.reason)}`);
  for (const note of job.notes ?? []) renderer.notice(`Note on ${oneLine(note.input)}: ${oneLine(note.note)}`);
  const bare = bareVideoIds(parseUrlList(text).videos);
  if (bare.length > 0) {
    renderer.notice(`Read as ${bare.length === 1 ? 'a video id' : 'video ids'} (not URLs): ${bare.join(', ')}`);
  }
  if (job.duplicates.length > 0) {
    const inputs = job.duplicates.map((duplicate) => oneLine(duplicate.input)).join(', ');
    renderer.notice(`Ignored ${plural(job.duplicates.length, 'duplicate')} of videos already in the batch: ${inputs}`);
  }
}

/** `tubesum run <file or URLs...>`: submits a batch, shows its progress, writes the ZIP. */
export async function runCommand(inputs: readonly string[], flags: RunCommandFlags, context: CliContext): Promise<ExitCode> {
  const config = withQueue(flags, context.env, (each) => resolveRunConfig(each, context.env, context.cwd));
  const text = await readUrlInputs({ args: inputs, stdin: context.stdin, cwd: context.cwd, invocation: context.invocation });
  // A bad --out must not cost a whole batch: check it before anything runs.
  await checkOut(config.out, context.cwd);
  const renderer = createRenderer(renderModeFor(context, flags.json ?? false), context);
  if (config.queue !== undefined) renderer.notice(queueNotice(config.queue));
  else if (config.summarizer.kind === 'extractive' && config.summarizer.notice) renderer.notice(config.summarizer.notice);
  if (config.transcripts.proxy !== undefined) renderer.notice(proxyNotice(config.transcripts.proxy));

  const cli = await createCliProcessor(config, context.cwd, context.fetch);
  const processor: BatchProcessor = cli.processor;
  const events = attachRenderer(processor, renderer);
  try {
    let job: JobSnapshot;
    try {
      job = await processor.submit({
        userId: LOCAL_USER_ID,
        urls: text,
        ...(config.name === undefined ? {} : { name: config.name }),
        options: config.jobOptions,
        ...(config.maxVideos === undefined ? {} : { maxVideos: config.maxVideos }),
        ...(config.channelContent === undefined ? {} : { channelContent: config.channelContent }),
        // Each playlist or channel is announced as soon as it is read: a long one takes a while.
        onList: (expansion) => renderer.result(describeListExpansion(expansion), { type: 'list', ...expansion }),
      });
    } catch (error) {
      if (isTubesumError(error, ErrorCode.INVALID_URL)) throw new CliError(oneLine(error.message), ExitCode.USAGE, { cause: error });
      throw error;
    }
    events.setJobId(job.id);
    return await followJob({
      processor,
      jobId: job.id,
      renderer,
      context,
      target: { out: config.out, store: flags.store, withTranscripts: flags.withTranscripts },
      resumeCommand: resumeHint(job.id, flags, context.invocation),
      latestProgress: events.latest,
      // Told once Ctrl-C is handled: a person (or a test) reacting to it may press Ctrl-C at once.
      onFollowing: () => reportIntake(job, text, renderer),
    });
  } finally {
    events.detach();
    renderer.close();
    await cli.close();
  }
}
