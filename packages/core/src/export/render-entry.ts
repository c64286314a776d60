/**
 * The text of each file of an export ZIP, one piece at a time, so that both the in-memory
 * {@link createExportZip} and the streaming export write the same bytes.
 */
import type { SerializedError } from '../errors.js';
import type { ItemCounts, ItemRecord, JobSnapshot, SummaryRecord } from '../processor/job.js';
import { formatUsd } from '../summarizers/prices.js';
import { EXPORT_FORMAT_VERSION } from './export-format.js';
import type { ExportManifest, ExportManifestItem } from './export-format.js';
import {
  dateLabel,
  durationLabel,
  escapeInline,
  linkTarget,
  oneLine,
  prose,
  timestampLabel,
  timestampUrl,
  videoUrl,
  yamlString,
} from './render-markdown.js';

/** What the index needs to know of a video's summary without holding it. */
export interface SummaryFacts {
  durationSeconds?: number | undefined;
  /** The item says done but its summary was not in the store. */
  missing: boolean;
}

/** Paths inside the ZIP of a video's transcript files. */
export interface TranscriptFiles {
  text: string;
  srt: string;
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
    lines.push(`- **Cost:** ${formatUsd(job.costUsd)} for the summaries (estimated from the tokens each used, at list prices, with the batch discount and prompt-cache rates where they applied)`);
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

/** A summary's Markdown file: YAML front matter, then TL;DR, key points and chapters linking into the video. */
export function renderSummaryFile(job: JobSnapshot, item: ItemRecord, record: SummaryRecord): string {
  const { summary } = record;
  const videoId = item.videoId;
  const title = record.title ?? item.title;
  const front: string[] = ['---'];
  const field = (key: string, value: string | number | boolean | undefined): void => {
    if (value === undefined) return;
    front.push(`${key}: ${typeof value === 'string' ? yamlString(value) : String(value)}`);
  };
  field('title', title);
  field('channel', record.channel);
  field('url', videoUrl(videoId));
  field('video_id', videoId);
  if (record.durationSeconds !== undefined && Number.isFinite(record.durationSeconds)) {
    field('duration', durationLabel(record.durationSeconds));
    field('duration_seconds', Math.max(0, Math.floor(record.durationSeconds)));
  }
  field('language', record.transcriptLanguage);
  field('summary_language', summary.language);
  field('model', summary.model);
  field('auto_generated_captions', record.isAutoGenerated === true);
  field('extractive', summary.extractive === true);
  field('partial', summary.partial === true);
  field('created', record.createdAt);
  field('batch', job.id);
  front.push('---', '');

  const meta = [`[Watch on YouTube](${videoUrl(videoId)})`];
  if (record.channel !== undefined) meta.push(escapeInline(record.channel));
  if (record.durationSeconds !== undefined) meta.push(durationLabel(record.durationSeconds));
  meta.push(`captions: ${escapeInline(record.transcriptLanguage)}${record.isAutoGenerated ? ' (auto-generated)' : ''}`);

  const body: string[] = [`# ${title === undefined ? videoId : escapeInline(title)}`, '', meta.join(' · '), ''];
  if (summary.partial) {
    body.push('> **Partial summary:** part of the transcript could not be summarized.', '');
  }
  const chapters = summary.chapters ?? [];
  const structured = oneLine(summary.tldr) !== '' || summary.keyPoints.length > 0 || chapters.length > 0;
  if (!structured) {
    body.push(summary.markdown.trim(), '');
  } else {
    if (oneLine(summary.tldr) !== '') body.push('## TL;DR', '', prose(summary.tldr), '');
    if (summary.keyPoints.length > 0) {
      body.push('## Key points', '');
      for (const point of summary.keyPoints) {
        body.push(`- [${timestampLabel(point.startMs)}](${timestampUrl(videoId, point.startMs)}) ${prose(point.text)}`);
      }
      body.push('');
    }
    if (chapters.length > 0) {
      body.push('## Chapters', '');
      for (const chapter of chapters) {
        body.push(
          `### [${timestampLabel(chapter.startMs)}](${timestampUrl(videoId, chapter.startMs)}) ${escapeInline(chapter.title)}`,
          '',
        );
        if (oneLine(chapter.summary) !== '') body.push(prose(chapter.summary), '');
      }
    }
  }
  if (summary.extractive) body.push('_Extractive summary: sentences picked from the transcript, not rewritten._', '');
  return `${front.join('\n')}\n${body.join('\n').trimEnd()}\n`;
}

/** What a summary file says when its summary left the store between planning the ZIP and writing it. */
export function missingSummaryText(item: ItemRecord | undefined): string {
  const head = item === undefined ? '' : `# ${itemLabel(item, item.title)}\n\n[Watch on YouTube](${videoUrl(item.videoId)})\n\n`;
  return `${head}The summary of this video is missing from the store; run the batch again to make it.\n`;
}

/** One video of `batch.json`. */
export function manifestItem(
  item: ItemRecord,
  record: SummaryRecord | undefined,
  file: string | undefined,
  transcripts?: TranscriptFiles,
): ExportManifestItem {
  const title = record?.title ?? item.title;
  const result: ExportManifestItem = {
    index: item.index,
    videoId: item.videoId,
    url: item.url,
    input: item.input,
    ...(item.list === undefined ? {} : { list: item.list }),
    status: item.status,
    attempts: { ...item.stageAttempts, total: item.attempts },
  };
  if (item.error !== undefined) result.error = item.error;
  if (file !== undefined) result.file = file;
  if (transcripts !== undefined) result.transcriptFiles = transcripts;
  if (title !== undefined) result.title = title;
  if (record?.channel !== undefined) result.channel = record.channel;
  if (record?.durationSeconds !== undefined) result.durationSeconds = record.durationSeconds;
  if (item.startedAt !== undefined) result.startedAt = item.startedAt;
  if (item.endedAt !== undefined) result.endedAt = item.endedAt;
  if (record !== undefined) {
    const { summary } = record;
    result.summary = {
      language: summary.language,
      model: summary.model,
      transcriptLanguage: record.transcriptLanguage,
      isAutoGenerated: record.isAutoGenerated,
      extractive: summary.extractive === true,
      partial: summary.partial === true,
      tldr: summary.tldr,
      keyPoints: summary.keyPoints.map((point) => ({
        text: point.text,
        startMs: point.startMs,
        url: timestampUrl(item.videoId, point.startMs),
      })),
      ...(summary.chapters === undefined
        ? {}
        : {
            chapters: summary.chapters.map((chapter) => ({
              title: chapter.title,
              startMs: chapter.startMs,
              summary: chapter.summary,
              url: timestampUrl(item.videoId, chapter.startMs),
            })),
          }),
      usage: summary.usage,
      ...(summary.costUsd === undefined ? {} : { costUsd: summary.costUsd }),
      ...(summary.batchApi === true ? { batchApi: true } : {}),
      createdAt: record.createdAt,
    };
  }
  return result;
}

/** `batch.json` up to the opening of its `items` array. */
export function manifestHead(job: JobSnapshot, counts: ItemCounts, date: Date): string {
  const jobPart: ExportManifest['job'] = {
    id: job.id,
    ...(job.name === undefined ? {} : { name: job.name }),
    status: job.status,
    createdAt: job.createdAt,
    ...(job.startedAt === undefined ? {} : { startedAt: job.startedAt }),
    ...(job.endedAt === undefined ? {} : { endedAt: job.endedAt }),
    options: job.options,
    total: job.total,
    counts,
    ...(job.costUsd === undefined ? {} : { costUsd: job.costUsd }),
  };
  return [
    '{',
    `  "formatVersion": ${EXPORT_FORMAT_VERSION},`,
    '  "generator": "tubesum",',
    `  "exportedAt": ${JSON.stringify(date.toISOString())},`,
    `  "job": ${JSON.stringify(jobPart)},`,
    '  "items": [',
  ].join('\n');
}

/** One item of `batch.json`'s `items` array, written by hand so that each item is serialized once, as it streams by. */
export function manifestItemText(json: string, first: boolean): string {
  return `${first ? '\n' : ',\n'}    ${json}`;
}

/** `batch.json` after its items; `listed` items were written before it. */
export function manifestTail(job: JobSnapshot, listed: number, byVideo: ReadonlyMap<string, { index: number }>): string {
  const duplicates = job.duplicates.map((entry) => {
    const original = byVideo.get(entry.videoId);
    return original === undefined ? entry : { ...entry, index: original.index };
  });
  return [
    `${listed === 0 ? '' : '\n  '}],`,
    `  "rejected": ${JSON.stringify(job.rejected)},`,
    ...(job.lists === undefined ? [] : [`  "lists": ${JSON.stringify(job.lists)},`]),
    ...(job.notes === undefined ? [] : [`  "notes": ${JSON.stringify(job.notes)},`]),
    `  "duplicates": ${JSON.stringify(duplicates)}`,
    '}',
    '',
  ].join('\n');
}
