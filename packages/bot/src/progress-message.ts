import { formatUsd, isJobEnded } from '@tubesum/core';
import type { ItemRecord, JobSnapshot, ListExpansion, ProviderBatchWait } from '@tubesum/core';
import { escapeMarkdown } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponent, APIEmbed, APIEmbedField } from 'discord.js';

/** Discord's limits on what one message may carry. */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  embedTotal: 6000,
  customId: 100,
} as const;

/** The marker that shows text was cut to fit Discord's limits. */
export const TRUNCATION_MARKER = '… (truncated)';

/** Mentions are disabled on every message the bot sends: titles and summaries are untrusted text. */
export const NO_MENTIONS = { parse: [] as never[] };

/** A message body in Discord's API form, ready for REST. */
export interface RenderedMessage {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowed_mentions: { parse: never[] };
}

/** What the progress message shows. */
export interface ProgressView {
  job: JobSnapshot;
  /** The user asked to cancel and the batch is stopping. */
  cancelling?: boolean;
  /** Items, for the final outcome (which succeeded, which failed and why). */
  items?: readonly ItemRecord[];
  /** Lines about the ZIP (attached, split into parts, too large…), shown once the batch ended. */
  delivery?: readonly string[];
}

const CANCEL_PREFIX = 'batch:cancel:';

/** The `custom_id` of a job's Cancel button, or undefined if it would not fit Discord's 100 characters. */
export function cancelCustomId(jobId: string): string | undefined {
  const id = `${CANCEL_PREFIX}${jobId}`;
  return id.length <= DISCORD_LIMITS.customId ? id : undefined;
}

/** The job id in a Cancel button's `custom_id`, or undefined for another button. */
export function parseCancelCustomId(customId: string): string | undefined {
  return customId.startsWith(CANCEL_PREFIX) && customId.length > CANCEL_PREFIX.length ? customId.slice(CANCEL_PREFIX.length) : undefined;
}

/** Cuts `text` to `max` characters, ending with the truncation marker when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= TRUNCATION_MARKER.length) return TRUNCATION_MARKER.slice(0, max);
  return `${text.slice(0, max - TRUNCATION_MARKER.length).trimEnd()}${TRUNCATION_MARKER}`;
}

/** Joins `lines` with newlines within `max` characters; what does not fit becomes "… and N more". */
export function joinLines(lines: readonly string[], max: number): string {
  const out: string[] = [];
  let length = 0;
  for (const [index, rawLine] of lines.entries()) {
    const line = truncate(rawLine, Math.min(max, 300));
    const rest = lines.length - index - 1;
    const more = rest > 0 ? `\n… and ${rest} more` : '';
    const added = (out.length > 0 ? 1 : 0) + line.length;
    if (length + added + more.length > max) {
      const marker = `… and ${lines.length - index} more`;
      if (length + (out.length > 0 ? 1 : 0) + marker.length <= max) out.push(marker);
      else if (out.length > 0) out[out.length - 1] = marker;
      else return truncate(marker, max);
      break;
    }
    out.push(line);
    length += added;
  }
  return out.join('\n');
}

/** `1h 02m`, `3m 20s`, `12s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A 20-cell bar such as `██████░░░░░░░░░░░░░░`. */
export function progressBar(percent: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function safe(text: string): string {
  return escapeMarkdown(text.replace(/\s+/g, ' ').trim());
}

function itemLabel(item: Pick<ItemRecord, 'title' | 'videoId' | 'url'>): string {
  return item.title ? `${safe(truncate(item.title, 120))} (${item.videoId})` : item.videoId;
}

function title(job: JobSnapshot): string {
  return truncate(job.name ? `Batch: ${job.name.replace(/\s+/g, ' ')}` : 'Batch of YouTube summaries', DISCORD_LIMITS.embedTitle);
}

/** `Playlist "Talks 2024": 143 videos`, one line per playlist or channel of the input. */
export function listLine(list: ListExpansion): string {
  const kind = list.kind === 'playlist' ? 'Playlist' : 'Channel';
  const name = list.title === undefined ? `\`${list.list.replace(/^(?:playlist|channel) /, '').replace(/`/g, "'")}\`` : `"${safe(truncate(list.title, 80))}"`;
  if (list.error !== undefined && list.taken === 0) return `⚠️ ${kind} ${name} could not be read: ${safe(truncate(list.error.message, 200))}`;
  const count = `${list.taken} video${list.taken === 1 ? '' : 's'}`;
  const notes = [
    list.truncated ? 'capped at the per-batch limit; the rest was not taken' : '',
    list.unavailable > 0 ? `${list.unavailable} unavailable` : '',
    list.duplicates > 0 ? `${list.duplicates} already in the batch` : '',
  ].filter((note) => note !== '');
  return `📃 ${kind} ${name}: ${count}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`;
}

function inputFields(job: JobSnapshot): { name: string; lines: string[] }[] {
  const fields: { name: string; lines: string[] }[] = [];
  if (job.rejected.length > 0) {
    fields.push({
      name: `Rejected inputs (${job.rejected.length})`,
      lines: job.rejected.map((r) => `\`${truncate(r.input.replace(/`/g, "'"), 80)}\`: ${safe(r.reason)}`),
    });
  }
  if (job.notes !== undefined && job.notes.length > 0) {
    fields.push({
      name: `Notes (${job.notes.length})`,
      lines: job.notes.map((n) => `\`${truncate(n.input.replace(/`/g, "'"), 80)}\`: ${safe(n.note)}`),
    });
  }
  if (job.duplicates.length > 0) {
    fields.push({
      name: `Duplicates skipped (${job.duplicates.length})`,
      lines: job.duplicates.map((d) => `\`${truncate(d.input.replace(/`/g, "'"), 80)}\`: same video as ${d.videoId}`),
    });
  }
  return fields;
}

/** Fits the fields into what is left of the 6,000-character embed budget, each value within 1,024. */
function layoutFields(fields: { name: string; lines: string[] }[], used: number): APIEmbedField[] {
  const chosen = fields.slice(0, DISCORD_LIMITS.embedFields);
  const names = chosen.map((f) => truncate(f.name, DISCORD_LIMITS.fieldName));
  const budget = DISCORD_LIMITS.embedTotal - used - names.reduce((sum, name) => sum + name.length, 0);
  const each = Math.max(0, Math.min(DISCORD_LIMITS.fieldValue, Math.floor(budget / Math.max(1, chosen.length))));
  return chosen.map((field, index) => ({ name: names[index]!, value: joinLines(field.lines, each) || '—' })).filter((field) => field.value.length <= each);
}

/**
 * `Waiting for Anthropic's batch (submitted <t:…:R>, usually under 1 h)`: Discord renders the
 * relative time on the reader's side and keeps it current, so the message needs no edit to age.
 */
export function waitLine(wait: ProviderBatchWait): string {
  if (wait.phase === 'collecting' || wait.submittedAt === undefined) return `Collecting the summaries into one of ${wait.provider}'s batches…`;
  const submitted = Math.floor(Date.parse(wait.submittedAt) / 1000);
  const typical = wait.typicalMs >= 3_600_000 ? `${Math.round(wait.typicalMs / 3_600_000)} h` : `${Math.round(wait.typicalMs / 60_000)} min`;
  return `Waiting for ${wait.provider}'s batch (submitted <t:${submitted}:R>, usually under ${typical}): half the price, results as soon as it ends.`;
}

/** Renders the one progress message of a batch: live while it runs, the outcome once it ended. */
export function renderProgressMessage(view: ProgressView): RenderedMessage {
  const { job } = view;
  const progress = job.progress;
  const { counts } = progress;
  const ended = isJobEnded(job.status);
  const remaining = Math.max(0, progress.total - progress.ended);
  const waiting =
    progress.current.find((current) => current.waiting?.phase === 'submitted')?.waiting ?? progress.current.find((current) => current.waiting)?.waiting;
  const lines: string[] = (job.lists ?? []).slice(0, 10).map(listLine);
  if ((job.lists?.length ?? 0) > 10) lines.push(`… and ${(job.lists?.length ?? 0) - 10} more lists`);
  if (lines.length > 0) lines.push('');

  if (ended) {
    const outcome = job.status === 'cancelled' ? 'Cancelled' : 'Finished';
    lines.push(
      `**${outcome}**: ${counts.done} succeeded, ${counts.failed} failed` +
        (counts.cancelled > 0 ? `, ${counts.cancelled} cancelled` : '') +
        ` of ${progress.total}.`,
    );
    lines.push(`\`${progressBar(progress.percent)}\` ${Math.round(progress.percent)}%`);
    lines.push(`Took ${formatDuration(progress.elapsedMs)}.`);
    if (job.costUsd !== undefined && job.costUsd > 0) lines.push(`Cost: ${formatUsd(job.costUsd)} (estimated from the tokens used, batch discount applied).`);
  } else {
    lines.push(`\`${progressBar(progress.percent)}\` ${Math.round(progress.percent)}% · ${progress.ended}/${progress.total}`);
    lines.push(`✅ ${counts.done} done · ❌ ${counts.failed} failed · ⏳ ${remaining} remaining`);
    if (job.status === 'paused') {
      const reason = job.pauseReason ? `${safe(truncate(job.pauseReason.message, 600))} (\`${job.pauseReason.code}\`)` : 'an unknown reason';
      lines.push(`⏸️ **Paused**: ${reason}`);
      lines.push('Nothing is lost. Once the bot’s operator fixes this (for example the API key), restarting the bot resumes the batch here.');
    } else if (view.cancelling) lines.push('**Cancelling…** work in flight is being stopped.');
    else if (waiting !== undefined) lines.push(`⏳ ${waitLine(waiting)}`);
    else if (progress.current.length > 0) {
      const current = progress.current.slice(0, 5).map((c) => `${c.title ? safe(truncate(c.title, 80)) : c.videoId} (${c.stage})`);
      const more = progress.current.length > 5 ? ` and ${progress.current.length - 5} more` : '';
      lines.push(`Working on: ${current.join(', ')}${more}`);
    } else if (progress.ended === 0) lines.push('Starting…');
    // While a provider batch runs only "processing" is known: no ETA is better than a frozen one.
    lines.push(
      `Elapsed ${formatDuration(progress.elapsedMs)}` +
        (progress.etaMs === undefined || waiting !== undefined ? '' : ` · ETA ~${formatDuration(progress.etaMs)}`),
    );
  }
  if (ended && view.delivery && view.delivery.length > 0) lines.push('', ...view.delivery);

  const description = truncate(lines.join('\n'), DISCORD_LIMITS.embedDescription);
  const footer = truncate(`Job ${job.id}`, DISCORD_LIMITS.footer);
  const embedTitle = title(job);

  const fieldSpecs: { name: string; lines: string[] }[] = [];
  if (ended && view.items) {
    const done = view.items.filter((i) => i.status === 'done');
    const failed = view.items.filter((i) => i.status === 'failed');
    if (done.length > 0) fieldSpecs.push({ name: `Succeeded (${done.length})`, lines: done.map(itemLabel) });
    if (failed.length > 0) {
      fieldSpecs.push({
        name: `Failed (${failed.length})`,
        lines: failed.map((i) => `${itemLabel(i)}: ${safe(i.error?.message ?? 'unknown error')}`),
      });
    }
  }
  fieldSpecs.push(...inputFields(job));
  const fields = layoutFields(fieldSpecs, embedTitle.length + description.length + footer.length);

  const color = !ended ? 0x5865f2 : job.status === 'cancelled' ? 0x99aab5 : counts.failed > 0 ? 0xfaa61a : 0x57f287;
  const embed: APIEmbed = { title: embedTitle, description, color, footer: { text: footer } };
  if (fields.length > 0) embed.fields = fields;

  const components: APIActionRowComponent<APIButtonComponent>[] = [];
  const customId = cancelCustomId(job.id);
  if (!ended && customId !== undefined) {
    components.push({
      type: 1,
      components: [{ type: 2, style: 4, label: view.cancelling ? 'Cancelling…' : 'Cancel', custom_id: customId, disabled: view.cancelling === true }],
    });
  }
  return { content: '', embeds: [embed], components, allowed_mentions: NO_MENTIONS };
}

/** A plain text message (errors, notices) in the API form, mentions disabled, within 2,000 characters. */
export function renderNotice(text: string): RenderedMessage {
  return { content: truncate(text, DISCORD_LIMITS.content), embeds: [], components: [], allowed_mentions: NO_MENTIONS };
}
