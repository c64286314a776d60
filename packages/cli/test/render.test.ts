import type { BatchEndEvent, Progress } from '@tubesum/core';
import { describe, expect, it } from 'vitest';
import { formatDuration, oneLine, outcomeLabel, truncate } from '../src/render/format.js';
import { plainLine } from '../src/render/event-line.js';
import { formatBarLine } from '../src/render/progress-bar-renderer.js';

const progress: Progress = {
  total: 5,
  counts: { pending: 1, running: 1, done: 2, failed: 1, cancelled: 0 },
  ended: 3,
  finished: 3,
  percent: 60,
  elapsedMs: 30_000,
  etaMs: 65_000,
  current: [{ index: 3, videoId: 'T9fVe1KpL6s', title: 'Second Inaugural', stage: 'summary' }],
};

describe('rendering', () => {
  it('draws the bar line with done, failed, ETA and the current video, cut to the terminal', () => {
    expect(formatBarLine(progress, 200)).toBe(`${'█'.repeat(14)}${'░'.repeat(10)}  60% 3/5 ✓ 2 done ✗ 1 failed | ETA 1m 05s | summarizing Second Inaugural`);
    expect([...formatBarLine(progress, 40)]).toHaveLength(39);
  });

  it("says what a summary waiting on Anthropic's batch waits for, not a video name", () => {
    const submittedAt = new Date(Date.now() - 12 * 60_000 - 5_000).toISOString();
    const waiting = { provider: 'Anthropic', phase: 'submitted' as const, batchId: 'msgbatch_1', submittedAt, typicalMs: 3_600_000 };
    const line = formatBarLine({ ...progress, current: [{ ...progress.current[0]!, waiting }] }, 200);
    expect(line).toMatch(/\| waiting for Anthropic's batch \(submitted 12 min ago, usually under 1 h\)$/);
  });

  it('writes one line per item end, with the reason of a failure', () => {
    const item = { jobId: 'j', index: 2, videoId: 'NoSuchVideo', url: 'u', input: 'i', status: 'failed' as const, attempts: 1 };
    const error = { code: 'TRANSCRIPTS_DISABLED' as const, message: 'No transcript\nfile.', retryable: false };
    expect(plainLine('itemEnd', { jobId: 'j', userId: 'u', progress, item, status: 'failed', error })).toBe(
      '[3/5] failed    NoSuchVideo  TRANSCRIPTS_DISABLED: No transcript file.',
    );
    const titled = { ...item, status: 'done' as const, title: 'A title' };
    expect(plainLine('itemEnd', { jobId: 'j', userId: 'u', progress, item: titled, status: 'done' })).toBe('[3/5] done      NoSuchVideo  A title');
    expect(plainLine('batchProgress', { jobId: 'j', userId: 'u', progress })).toBeUndefined();
  });

  it('says a batch with failures finished, with its counts, and a cancelled one cancelled', () => {
    const ended = { ...progress, counts: { pending: 0, running: 0, done: 4, failed: 1, cancelled: 0 }, ended: 5, percent: 100, current: [] };
    const job = { id: 'j' } as BatchEndEvent['job'];
    expect(plainLine('batchEnd', { jobId: 'j', userId: 'u', progress: ended, status: 'failed', job })).toBe('Batch j finished: 4 done, 1 failed in 30s');
    expect(plainLine('batchEnd', { jobId: 'j', userId: 'u', progress: ended, status: 'done', job })).toMatch(/^Batch j finished: /);
    expect(plainLine('batchEnd', { jobId: 'j', userId: 'u', progress: ended, status: 'cancelled', job })).toMatch(/^Batch j cancelled: /);
    expect((['done', 'failed', 'cancelled'] as const).map(outcomeLabel)).toEqual(['Done', 'Finished', 'Cancelled']);
  });

  it('puts the retry delay before the reason, which a terminal may cut', () => {
    const item = { jobId: 'j', index: 2, videoId: 'NoSuchVideo', url: 'u', input: 'i', status: 'running' as const, attempts: 1 };
    const error = { code: 'RATE_LIMITED' as const, message: 'Slow down.', retryable: true };
    expect(plainLine('itemRetry', { jobId: 'j', userId: 'u', progress, item, stage: 'summary', attempt: 1, error, delayMs: 1500 })).toBe(
      '[3/5] retry   NoSuchVideo  again in 1.5s, attempt 1 failed: RATE_LIMITED: Slow down.',
    );
  });

  it('formats durations and untrusted text', () => {
    expect([formatDuration(950), formatDuration(1500), formatDuration(65_000), formatDuration(3_780_000)]).toEqual(['950ms', '1.5s', '1m 05s', '1h 03m']);
    expect(oneLine('a\u001b[31m\r\nb')).toBe('a [31m b');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});
