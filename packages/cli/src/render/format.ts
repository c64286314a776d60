import type { CurrentItem, ItemRecord, JobSnapshot, JobStatus, ListExpansion, Progress } from '@tubesum/core';

/** `950` -> `0.9s`, `65_000` -> `1m 05s`, `3_780_000` -> `1h 03m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Cuts `text` to `width` characters with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Titles and errors come from the internet: keep them on one line, without control characters. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  const controls = /[\u0000-\u001f\u007f-\u009f]+/g;
  return text.replace(controls, ' ').replace(/\s+/g, ' ').trim();
}

/** What the person sees for a video: its title when known, else its id. */
export function itemLabel(item: Pick<ItemRecord, 'videoId' | 'title'> | CurrentItem): string {
  return item.title ? oneLine(item.title) : item.videoId;
}

/**
 * The first word of a batch's closing line, before its counts: `Done` (every video succeeded),
 * `Finished` (it ended with failures: `Finished: 8 done, 2 failed`), `Cancelled`.
 */
export function outcomeLabel(status: JobStatus): string {
  switch (status) {
    case 'done':
      return 'Done';
    case 'failed':
      return 'Finished';
    case 'cancelled':
      return 'Cancelled';
    case 'running':
      return 'Running';
    case 'paused':
      return 'Paused';
  }
}

/** `3 done, 1 failed, 1 cancelled` (zero counts left out, except done). */
export function formatCounts(progress: Pick<Progress, 'counts'>): string {
  const { counts } = progress;
  const parts = [`${counts.done} done`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  const waiting = counts.pending + counts.running;
  if (waiting > 0) parts.push(`${waiting} not finished`);
  return parts.join(', ');
}

/** One line per batch for `tubesum list`. */
export function formatJobLine(job: JobSnapshot): string {
  const created = job.createdAt.replace('T', ' ').slice(0, 16);
  const name = job.name ? `  ${oneLine(job.name)}` : '';
  return `${job.id}  ${created}  ${job.status.padEnd(9)}  ${job.progress.ended}/${job.total}  ${formatCounts(job.progress)}${name}`;
}

/** `1 video` / `2 videos`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `Playlist "Talks 2024": 143 videos (capped at --max-videos; the rest was not taken)`. */
export function describeListExpansion(list: ListExpansion): string {
  const kind = list.kind === 'playlist' ? 'Playlist' : 'Channel';
  const name = list.title === undefined ? list.list.replace(/^(?:playlist|channel) /, '') : `"${oneLine(list.title)}"`;
  if (list.error !== undefined && list.taken === 0) return `${kind} ${name} could not be read: ${oneLine(list.error.message)}`;
  const notes = [
    list.truncated ? 'capped at --max-videos; the rest was not taken' : '',
    list.unavailable > 0 ? `${list.unavailable} unavailable` : '',
    list.duplicates > 0 ? `${list.duplicates} already in the batch` : '',
  ].filter((note) => note !== '');
  return `${kind} ${name}: ${plural(list.taken, 'video')}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`;
}
