// `index.md`, the page a person opens first: the job, then one row per video, then the rejected
// and duplicate inputs. Written in pieces (head, rows, tail) so that a streaming export holds one row at a time.
import type { SerializedError } from '../errors.js';
import type { ItemCounts, ItemRecord, JobSnapshot } from '../records.js';
import { formatUsd } from '../summarizers/language-model/prices.js';
import type { TranscriptFiles } from './export-names.js';
import { dateLabel, durationLabel, escapeInline, linkTarget, oneLine, videoUrl } from './render-markdown.js';

/** What the index needs to know of a video's summary without holding it. */
export interface SummaryFacts {
  durationSeconds?: number | undefined;
  /** The item says done but its summary was not in the store. */
  missing: boolean;
}

/** Where `item.title` is shown: a Markdown label that is safe inline. */
export function itemLabel(item: ItemRecord, title: string | undefined): string {
  return title === undefined ? `\`${item.videoId}\`` : escapeInline(title);
}

function statusLabel(item: ItemRecord, facts: SummaryFacts | undefined): string {
  if (item.status === 'done' && (facts === undefined || facts.missing)) return 'done (summary missing from the store)';
  return item.status;
}

function errorLabel(error: SerializedError | undefined): string {
  if (error === undefined) return '';
  return `${escapeInline(error.message)} (\`${oneLine(error.code).replace(/`/g, '')}\`)`;
}

/** How `index.md` names each playlist or channel of the job (`playlist "Talks"`), by its id. */
export function listNamesOf(job: JobSnapshot): ReadonlyMap<string, string> {
  return new Map((job.lists ?? []).map((list) => [list.list, list.title === undefined ? list.list : `${list.kind} "${list.title}"`]));
}

/** One row of the table of videos in `index.md`. */
export function indexRow(
  item: ItemRecord,
  label: string,
  file: string | undefined,
  facts: SummaryFacts | undefined,
  transcripts?: TranscriptFiles,
  listNames?: ReadonlyMap<string, string>,
): string {
  const video = file === undefined ? label : `[${label}](${linkTarget(file)})`;
  const details: string[] = [`[watch](${videoUrl(item.videoId)})`];
  if (item.list !== undefined) details.push(`from ${escapeInline(listNames?.get(item.list) ?? item.list)}`);
  if (facts?.durationSeconds !== undefined) details.push(durationLabel(facts.durationSeconds));
  if (item.status === 'done' && item.costUsd !== undefined && item.costUsd > 0) details.push(formatUsd(item.costUsd));
  if (transcripts !== undefined) {
    details.push(`transcript: [text](${linkTarget(transcripts.text)}), [SRT](${linkTarget(transcripts.srt)})`);
  }
  if (item.status === 'failed' || item.status === 'cancelled') {
    const reason = errorLabel(item.error);
    if (reason !== '') details.push(reason);
  }
  return `| ${item.index + 1} | ${video} | ${statusLabel(item, facts)} | ${details.join(' · ')} |`;
}

/** `index.md` up to its table of videos (header row included), ending with a line break. */
export function indexHead(job: JobSnapshot, counts: ItemCounts, listed: number): string {
  const lines: string[] = [
    `# ${job.name === undefined || oneLine(job.name) === '' ? 'tubesum batch' : escapeInline(job.name)}`,
    '',
    `- **Job:** \`${oneLine(job.id).replace(/`/g, '')}\` (${job.status})`,
    `- **Created:** ${dateLabel(job.createdAt)}`,
    `- **Started:** ${dateLabel(job.startedAt)}`,
    `- **Ended:** ${dateLabel(job.endedAt)}`,
    `- **Videos:** ${job.total} — ${(['done', 'failed', 'cancelled', 'running', 'pending'] as const)
      .filter((status) => counts[status] > 0 || status === 'done' || status === 'failed')
      .map((status) => `${counts[status]} ${status}`)
      .join(', ')}`,
    `- **Rejected inputs:** ${job.rejected.length} · **Duplicate inputs:** ${job.duplicates.length}`,
  ];
  if (job.costUsd !== undefined && job.costUsd > 0) {
    lines.push(
      `- **Cost:** ${formatUsd(job.costUsd)} for the summaries (estimated from the tokens each used, at list prices, with the batch discount and prompt-cache rates where they applied)`,
    );
  }
  if (listed !== job.total) {
    lines.push(`- **Note:** ${listed} of the job's ${job.total} videos were found in the store; only those are listed.`);
  }
  if (job.lists !== undefined && job.lists.length > 0) {
    lines.push('', '## Playlists and channels', '', 'Each link below was expanded into its videos; each video says which list it came from.', '');
    lines.push('| Link | List | Videos taken | Notes |', '|---|---|---:|---|');
    for (const list of job.lists) {
      const notes = [
        list.videoCount === undefined ? '' : `the list says ${list.videoCount} videos`,
        list.duplicates > 0 ? `${list.duplicates} already in the batch` : '',
        list.unavailable > 0 ? `${list.unavailable} unavailable` : '',
        list.truncated ? 'capped: the rest was not taken (see Rejected inputs)' : '',
        list.error === undefined ? '' : `could not be read: ${list.error.message}`,
      ].filter((note) => note !== '');
      const name = list.title === undefined ? list.list : `${list.kind} "${list.title}"`;
      lines.push(`| ${escapeInline(list.input)} | ${escapeInline(name)} | ${list.taken} | ${escapeInline(notes.join('; '))} |`);
    }
  }
  lines.push('', '## Videos', '');
  if (listed === 0) lines.push('No videos.');
  else lines.push('| # | Video | Status | Details |', '|---:|---|---|---|');
  return `${lines.join('\n')}\n`;
}

/** `index.md` after its table of videos: rejected and duplicate inputs. */
export function indexTail(job: JobSnapshot, byVideo: ReadonlyMap<string, { index: number; label: string }>): string {
  const lines: string[] = [];
  if (job.rejected.length > 0) {
    lines.push('', '## Rejected inputs', '', 'These inputs are not YouTube videos and were not processed.', '');
    lines.push('| Input | Reason |', '|---|---|');
    for (const entry of job.rejected) lines.push(`| ${escapeInline(entry.input)} | ${escapeInline(entry.reason)} |`);
  }
  if (job.notes !== undefined && job.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const note of job.notes) lines.push(`- ${escapeInline(note.input)}: ${escapeInline(note.note)}`);
  }
  if (job.duplicates.length > 0) {
    lines.push('', '## Duplicate inputs', '', 'These inputs name a video already in the batch; it was processed once.', '');
    lines.push('| Input | Same video as |', '|---|---|');
    for (const entry of job.duplicates) {
      const original = byVideo.get(entry.videoId);
      const target = original === undefined ? `\`${oneLine(entry.videoId).replace(/`/g, '')}\`` : `#${original.index + 1} ${original.label}`;
      lines.push(`| ${escapeInline(entry.input)} | ${target} |`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
