import type { BatchEventName, BatchEventOf } from './types.js';
import { formatCounts, formatDuration, itemLabel, oneLine, plural } from './format.js';

/** The line for one event, or undefined for events not worth a line (item starts, progress ticks). */
export function plainLine<K extends BatchEventName>(type: K, event: BatchEventOf<K>): string | undefined {
  const { progress } = event;
  const position = `[${progress.ended}/${progress.total}]`;
  switch (type) {
    case 'batchStart': {
      const { job, resumed } = event as BatchEventOf<'batchStart'>;
      const already = resumed && progress.ended > 0 ? `, ${progress.ended} already finished` : '';
      return `${resumed ? 'Resumed' : 'Started'} batch ${job.id}: ${plural(job.total, 'video')}${already}`;
    }
    case 'itemRetry': {
      const { item, attempt, error, delayMs } = event as BatchEventOf<'itemRetry'>;
      // The delay comes first: on a terminal the line is cut to its width.
      return `${position} retry   ${item.videoId}  again in ${formatDuration(delayMs)}, attempt ${attempt} failed: ${error.code}: ${oneLine(error.message)}`;
    }
    case 'itemEnd': {
      const { item, status, error, cached } = event as BatchEventOf<'itemEnd'>;
      const detail = status === 'failed' && error ? `  ${error.code}: ${oneLine(error.message)}` : status === 'done' && cached ? '  (cached)' : '';
      const title = item.title ? `  ${itemLabel(item)}` : '';
      return `${position} ${status.padEnd(9)} ${item.videoId}${title}${detail}`;
    }
    case 'batchPause': {
      const { job, reason } = event as BatchEventOf<'batchPause'>;
      return `Batch ${job.id} paused: ${reason.code}: ${oneLine(reason.message)}`;
    }
    case 'batchEnd': {
      const { status, job } = event as BatchEventOf<'batchEnd'>;
      return `Batch ${job.id} ${status === 'cancelled' ? 'cancelled' : 'finished'}: ${formatCounts(progress)} in ${formatDuration(progress.elapsedMs)}`;
    }
    default:
      return undefined;
  }
}
