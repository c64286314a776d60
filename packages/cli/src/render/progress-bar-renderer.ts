import cliProgress from 'cli-progress';
import { describeProviderBatchWait } from '@tubesum/core';
import type { Progress } from '@tubesum/core';
import { formatDuration, itemLabel, truncate } from './format.js';
import type { Output } from '../output.js';
import { plainLine } from './event-line.js';
import type { Renderer } from './types.js';

const BAR_WIDTH = 24;

/** `fetching The Gettysburg Address +2`, or `waiting for Anthropic's batch (submitted 12 min ago, usually under 1 h)`. */
function currentText(progress: Progress): string {
  const [first, ...rest] = progress.current;
  if (!first) return '';
  // Until a provider batch ends only "processing" is known: say that rather than a frozen video name.
  const waiting = progress.current.find((current) => current.waiting?.phase === 'submitted')?.waiting ?? first.waiting;
  if (waiting) return describeProviderBatchWait(waiting);
  const verb = first.stage === 'transcript' ? 'fetching' : 'summarizing';
  return `${verb} ${itemLabel(first)}${rest.length > 0 ? ` +${rest.length}` : ''}`;
}

/** The status line under the bar: done, failed, ETA and the current video. */
export function formatBarLine(progress: Progress, columns: number): string {
  const filled = Math.round((progress.percent / 100) * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  // Once every video is finished there is nothing left to estimate: the bar shows the time it took.
  const time =
    progress.ended >= progress.total
      ? `took ${formatDuration(progress.elapsedMs)}`
      : `ETA ${progress.etaMs === undefined ? '…' : formatDuration(progress.etaMs)}`;
  const failed = progress.counts.failed > 0 ? ` ✗ ${progress.counts.failed} failed` : '';
  const head = `${bar} ${String(Math.floor(progress.percent)).padStart(3)}% ${progress.ended}/${progress.total} ✓ ${progress.counts.done} done${failed} | ${time}`;
  const current = currentText(progress);
  return truncate(current ? `${head} | ${current}` : head, Math.max(20, columns - 1));
}

/** A live progress bar on a terminal; failures and retries are logged above it. */
export function createProgressBarRenderer({ stdout, stderr }: Output): Renderer {
  let latest: Progress | undefined;
  const multi = new cliProgress.MultiBar({
    stream: stdout,
    format: () => (latest ? formatBarLine(latest, stdout.columns || 100) : ''),
    hideCursor: true,
    gracefulExit: false,
    clearOnComplete: false,
    linewrap: false,
    fps: 8,
  });
  let bar: cliProgress.SingleBar | undefined;
  let closed = false;

  // Lines above the bar are cut to the terminal's width: a wrapped line would be partly
  // overwritten when the bar redraws. The whole reason stays in `tubesum status <id>`.
  const log = (text: string) => {
    if (bar && !closed) multi.log(`${truncate(text, Math.max(20, (stdout.columns || 100) - 1))}\n`);
    else stdout.write(`${text}\n`);
  };

  return {
    event(type, event) {
      if (closed) return;
      latest = event.progress;
      if (!bar) bar = multi.create(event.progress.total, event.progress.ended);
      bar.update(event.progress.ended);
      const showAbove = type === 'itemRetry' || type === 'batchStart' || (type === 'itemEnd' && (event as { status?: string }).status === 'failed');
      if (showAbove) {
        const line = plainLine(type, event);
        if (line !== undefined) log(line);
      }
    },
    notice(text) {
      if (bar && !closed) multi.log(`${text}\n`);
      else stderr.write(`${text}\n`);
    },
    result(text) {
      this.close();
      stdout.write(`${text}\n`);
    },
    close() {
      if (closed) return;
      closed = true;
      if (bar) {
        multi.update();
        multi.stop();
      }
    },
  };
}
