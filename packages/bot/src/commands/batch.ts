import { ErrorCode, TubesumError, isJobEnded, isTubesumError, parseUrlList } from '@tubesum/core';
import type { JobOptions, JobSnapshot, SummaryLength } from '@tubesum/core';
import { MessageFlags, SlashCommandBuilder, escapeMarkdown } from 'discord.js';
import type { ButtonInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { DEFAULT_ATTACHMENT_SIZE_LIMIT, isFileTooLarge, zipFileName } from '../zip-delivery.js';
import { formatBytes, planZipDelivery, readPiece, writeZipToTempFile } from '../zip-file.js';
import { describeError } from '../logger.js';
import { NO_MENTIONS, joinLines, parseCancelCustomId, truncate } from '../progress-message.js';
import { readTextAttachment } from '../read-attachment.js';
import type { BotContext } from './command.js';

const LENGTHS: { name: string; value: SummaryLength }[] = [
  { name: 'short', value: 'short' },
  { name: 'standard', value: 'standard' },
  { name: 'detailed', value: 'detailed' },
];

/**
 * The `/batch` command: `run` (URLs and/or a file), `list`, `cancel` and `zip`.
 * `models` become the choices of `run`'s `model` option (shown only when there are several).
 */
export function buildBatchCommandData(models: readonly string[] = []): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return new SlashCommandBuilder()
    .setName('batch')
    .setDescription('Summarize a batch of YouTube videos')
    .addSubcommand((run) => {
      run
        .setName('run')
        .setDescription('Summarize YouTube videos: paste URLs and/or attach a .txt/.csv list')
        .addStringOption((o) =>
          o.setName('urls').setDescription('YouTube video, playlist or channel URLs, separated by spaces, commas or new lines').setMaxLength(6000),
        )
        .addAttachmentOption((o) => o.setName('file').setDescription('A .txt or .csv file with one URL per line'))
        .addStringOption((o) => o.setName('name').setDescription('A name for this batch').setMaxLength(100))
        .addStringOption((o) =>
          o
            .setName('length')
            .setDescription('How long each summary is')
            .addChoices(...LENGTHS),
        )
        .addStringOption((o) => o.setName('language').setDescription('Language of the summaries, e.g. en, fr, pt-BR').setMaxLength(20))
        .addBooleanOption((o) => o.setName('transcripts').setDescription('Add each transcript to the ZIP, as text and SRT'));
      if (models.length > 1) {
        run.addStringOption((o) =>
          o
            .setName('model')
            .setDescription('The model that writes the summaries')
            .addChoices(...models.slice(0, 25).map((model) => ({ name: model.slice(0, 100), value: model }))),
        );
      }
      return run;
    })
    .addSubcommand((list) => list.setName('list').setDescription('Your recent batches and their status'))
    .addSubcommand((cancel) =>
      cancel
        .setName('cancel')
        .setDescription('Cancel one of your running batches')
        .addStringOption((o) => o.setName('id').setDescription('The batch id (see /batch list)').setRequired(true)),
    )
    .addSubcommand((zip) =>
      zip
        .setName('zip')
        .setDescription('Get the ZIP of one of your batches again')
        .addStringOption((o) => o.setName('id').setDescription('The batch id (see /batch list)').setRequired(true))
        .addBooleanOption((o) => o.setName('transcripts').setDescription('Add each transcript to the ZIP, as text and SRT')),
    )
    .toJSON();
}

/** The `/batch` definition without model choices. */
export const data = buildBatchCommandData();

const ephemeral = MessageFlags.Ephemeral;

/** Words for a user: a TubesumError's message is written for people; anything else stays in the logs. */
function userMessage(error: unknown): string {
  if (isTubesumError(error)) return error.message;
  return 'Something went wrong on our side; the bot operator can find the details in the logs.';
}

async function fail(interaction: ChatInputCommandInteraction, text: string): Promise<void> {
  const content = truncate(`❌ ${text}`, 2000);
  if (interaction.deferred || interaction.replied) await interaction.editReply({ content, allowedMentions: NO_MENTIONS });
  else await interaction.reply({ content, flags: ephemeral, allowedMentions: NO_MENTIONS });
}

function notConfigured(): TubesumError {
  return new TubesumError(
    ErrorCode.INVALID_OPTIONS,
    'No summarizer is configured on this bot yet: the operator must set `ANTHROPIC_API_KEY`, `OPENAI_BASE_URL` or `TUBESUM_SUMMARIZER=offline`.',
  );
}

async function run(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void> {
  // Acknowledge first: everything below may take longer than Discord's 3 seconds.
  await interaction.deferReply();
  const { pool, messages, config } = context;
  if (!pool || !messages) throw notConfigured();
  const userId = interaction.user.id;

  const pieces: string[] = [];
  const urls = interaction.options.getString('urls');
  if (urls) pieces.push(urls);
  const file = interaction.options.getAttachment('file');
  if (file) {
    pieces.push(
      await readTextAttachment(
        { name: file.name, url: file.url, size: file.size, contentType: file.contentType },
        { maxBytes: config.limits.maxFileBytes, timeoutMs: config.limits.attachmentTimeoutMs, fetch: context.fetch },
      ),
    );
  }
  const text = pieces.join('\n');
  if (text.trim() === '') {
    throw new TubesumError(
      ErrorCode.INVALID_URL,
      'Give me YouTube video, playlist or channel URLs in `urls`, or attach a .txt or .csv file with one URL per line.',
    );
  }
  // Playlists and channels count as input here; submit() expands them, capped at the per-batch limit.
  const parsed = parseUrlList(text, { lists: true });
  if (parsed.videos.length === 0 && parsed.lists.length === 0) {
    const reasons = joinLines(
      parsed.rejected.map((r) => `\`${truncate(r.input.replace(/`/g, "'"), 80)}\`: ${escapeMarkdown(r.reason)}`),
      1500,
    );
    throw new TubesumError(ErrorCode.INVALID_URL, `No valid YouTube video URL found.${reasons ? `\n${reasons}` : ''}`);
  }
  if (parsed.videos.length > config.limits.maxUrlsPerBatch) {
    throw new TubesumError(
      ErrorCode.INVALID_OPTIONS,
      `Too many videos: ${parsed.videos.length}. One batch takes at most ${config.limits.maxUrlsPerBatch}; split the list into several batches.`,
    );
  }
  const chosenModel = interaction.options.getString('model') ?? pool.defaultModel;
  pool.get(chosenModel);
  // A playlist or channel link counts as many videos as the batch may take: such batches are big.
  const { key: model, processor } = pool.choose(chosenModel, parsed.videos.length + parsed.lists.length * config.limits.maxUrlsPerBatch);
  const length = interaction.options.getString('length') as SummaryLength | null;
  const language = interaction.options.getString('language');
  const name = interaction.options.getString('name');
  const options: JobOptions = {};
  if (length) options.length = length;
  if (language) options.language = language.trim();
  if (config.transcriptLanguages !== undefined) options.transcriptLanguages = [...config.transcriptLanguages];
  // Count and submit under the user's lock: three commands sent at once must not all pass the count.
  const job = await context.admission.run(userId, async () => {
    const running = (await pool.list({ userId })).filter((each) => !isJobEnded(each.status)).length;
    if (running >= config.limits.maxRunningBatchesPerUser) {
      throw new TubesumError(
        ErrorCode.INVALID_OPTIONS,
        `You already have ${running} batch${running === 1 ? '' : 'es'} running (the limit is ${config.limits.maxRunningBatchesPerUser}). Wait for one to finish or cancel it with \`/batch cancel\`.`,
      );
    }
    return processor.submit({ userId, urls: text, name: name ?? undefined, options });
  });
  context.logger.info(`batch ${job.id} submitted by user ${userId}: ${job.total} videos, model ${model}`);
  await messages.track({
    job,
    model,
    location: {
      applicationId: interaction.applicationId,
      channelId: interaction.channelId,
      messageId: undefined,
      interactionToken: interaction.token,
      interactionCreatedAt: Math.min(interaction.createdTimestamp, Date.now()),
    },
    attachmentSizeLimit: interaction.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT,
    withTranscripts: interaction.options.getBoolean('transcripts') === true,
  });
}

function statusLine(job: JobSnapshot): string {
  const { counts } = job.progress;
  const label = job.name ? `**${escapeMarkdown(truncate(job.name.replace(/\s+/g, ' '), 60))}** ` : '';
  const created = Math.floor(Date.parse(job.createdAt) / 1000);
  return (
    `${label}\`${job.id}\` · ${job.status} · ${counts.done}/${job.total} done` +
    (counts.failed > 0 ? `, ${counts.failed} failed` : '') +
    (counts.cancelled > 0 ? `, ${counts.cancelled} cancelled` : '') +
    ` · <t:${created}:R>`
  );
}

async function list(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void> {
  if (!context.pool) throw notConfigured();
  const jobs = (await context.pool.list({ userId: interaction.user.id })).slice(0, 15);
  const content =
    jobs.length === 0 ? 'You have no batches yet. Start one with `/batch run`.' : `Your recent batches:\n${joinLines(jobs.map(statusLine), 1900)}`;
  await interaction.reply({ content, flags: ephemeral, allowedMentions: NO_MENTIONS });
}

async function cancelJob(context: BotContext, jobId: string, userId: string): Promise<string> {
  if (!context.pool) throw notConfigured();
  const { processor, job } = await context.pool.find(jobId, { userId });
  if (isJobEnded(job.status)) return `Batch \`${job.id}\` already ended (${job.status}).`;
  context.messages?.markCancelling(job.id);
  const cancelled = await processor.cancel(job.id, { userId });
  context.logger.info(`batch ${job.id} cancelled by its owner`);
  // A job no processor was running (cancelled before resume() picked it up) ends without a
  // batchEnd event: deliver its outcome here. Idempotent when batchEnd did fire. Not awaited (the
  // reply comes first); jobEnded logs its own failures and never rejects.
  void context.messages?.jobEnded(cancelled);
  return `Batch \`${job.id}\` is cancelled; its message shows what was finished and the partial ZIP.`;
}

async function cancel(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void> {
  const text = await cancelJob(context, interaction.options.getString('id', true).trim(), interaction.user.id);
  await interaction.reply({ content: text, flags: ephemeral, allowedMentions: NO_MENTIONS });
}

async function zip(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void> {
  await interaction.deferReply({ flags: ephemeral });
  if (!context.pool) throw notConfigured();
  const { processor, job } = await context.pool.find(interaction.options.getString('id', true).trim(), {
    userId: interaction.user.id,
  });
  const withTranscripts = interaction.options.getBoolean('transcripts') === true;
  // The ZIP goes to a temporary file; each upload reads only its own piece of it.
  const archive = await writeZipToTempFile(processor, job.id, interaction.user.id, { withTranscripts });
  try {
    const limit = interaction.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT;
    const plan = planZipDelivery(archive.size, zipFileName(job), limit);
    const note = job.status === 'running' ? '\nThe batch is still running: this ZIP holds what is finished so far.' : '';
    try {
      const attached = await Promise.all(plan.attached.map((piece) => readPiece(archive.path, piece)));
      await interaction.editReply({
        content: truncate(`${plan.lines.join('\n')}${note}`, 2000),
        files: attached.map((file) => ({ attachment: file.data as Buffer, name: file.name })),
        allowedMentions: NO_MENTIONS,
      });
      for (const [index, part] of plan.parts.entries()) {
        const file = await readPiece(archive.path, part);
        await interaction.followUp({
          content: `Part ${index + 1} of ${plan.parts.length}: \`${part.name}\``,
          files: [{ attachment: file.data as Buffer, name: part.name }],
          flags: ephemeral,
          allowedMentions: NO_MENTIONS,
        });
      }
    } catch (error) {
      if (!isFileTooLarge(error)) throw error;
      context.logger.warn(`Discord refused the ZIP of batch ${job.id} (${archive.size} bytes) as too large`);
      throw new TubesumError(
        ErrorCode.INVALID_OPTIONS,
        `Discord refused the ZIP of batch \`${job.id}\` (${formatBytes(archive.size)}) as too large for this channel, so nothing is attached.`,
      );
    }
  } finally {
    await archive.dispose();
  }
}

/** Runs `/batch`; user errors are answered in words, other errors are logged. */
export async function execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void> {
  const subcommand = interaction.options.getSubcommand();
  try {
    if (subcommand === 'run') await run(interaction, context);
    else if (subcommand === 'list') await list(interaction, context);
    else if (subcommand === 'cancel') await cancel(interaction, context);
    else if (subcommand === 'zip') await zip(interaction, context);
    else await fail(interaction, `Unknown subcommand \`${subcommand}\`.`);
  } catch (error) {
    if (!isTubesumError(error)) context.logger.error(`/batch ${subcommand} failed: ${describeError(error)}`);
    await fail(interaction, userMessage(error)).catch((replyError: unknown) =>
      context.logger.warn(`could not tell the user about an error: ${describeError(replyError)}`),
    );
  }
}

/** Handles the Cancel button (`batch:cancel:<jobId>`); only the owner may cancel. */
export async function handleButton(interaction: ButtonInteraction, context: BotContext): Promise<boolean> {
  const jobId = parseCancelCustomId(interaction.customId);
  if (jobId === undefined) return false;
  try {
    if (!context.pool) throw notConfigured();
    let job: JobSnapshot;
    try {
      ({ job } = await context.pool.find(jobId, { userId: interaction.user.id }));
    } catch (error) {
      if (!isTubesumError(error, ErrorCode.NOT_FOUND)) throw error;
      await interaction.reply({
        content: 'Only the person who started this batch can cancel it.',
        flags: ephemeral,
        allowedMentions: NO_MENTIONS,
      });
      return true;
    }
    if (isJobEnded(job.status)) {
      await interaction.reply({ content: `This batch already ended (${job.status}).`, flags: ephemeral, allowedMentions: NO_MENTIONS });
      return true;
    }
    await interaction.deferUpdate();
    await cancelJob(context, jobId, interaction.user.id);
  } catch (error) {
    context.logger.error(`cancel button failed: ${describeError(error)}`);
    const content = `❌ ${userMessage(error)}`;
    if (interaction.deferred || interaction.replied) {
      await interaction.followUp({ content, flags: ephemeral, allowedMentions: NO_MENTIONS }).catch(() => {});
    } else await interaction.reply({ content, flags: ephemeral, allowedMentions: NO_MENTIONS }).catch(() => {});
  }
  return true;
}
