import type { ItemRecord, JobSnapshot } from '@tubesum/core';
import { describe, expect, it } from 'vitest';
import { zipFileName } from '../src/zip-delivery.js';
import {
  DISCORD_LIMITS,
  TRUNCATION_MARKER,
  cancelCustomId,
  formatDuration,
  joinLines,
  parseCancelCustomId,
  renderProgressMessage,
  truncate,
} from '../src/progress-message.js';

function job(overrides: Partial<JobSnapshot> = {}): JobSnapshot {
  const counts = { pending: 5, running: 1, done: 3, failed: 1, cancelled: 0 };
  return {
    version: 1,
    id: '0b7c4f5e-0000-4000-8000-000000000001',
    userId: 'u1',
    createdAt: '2025-01-01T00:00:00.000Z',
    options: {},
    total: 10,
    rejected: [],
    duplicates: [],
    status: 'running',
    counts,
    progress: {
      total: 10,
      counts,
      ended: 4,
      finished: 4,
      percent: 40,
      elapsedMs: 80_000,
      etaMs: 120_000,
      current: [{ index: 4, videoId: 'aaaaaaaaaa1', title: 'How bread rises', stage: 'summary' }],
    },
    ...overrides,
  };
}

function embedLength(embed: { title?: string; description?: string; footer?: { text: string }; fields?: { name: string; value: string }[] }) {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

describe('renderProgressMessage', () => {
  it('shows the bar, the counts, the current video, elapsed time, ETA and a Cancel button', () => {
    const message = renderProgressMessage({ job: job({ name: 'Science' }) });
    const embed = message.embeds[0]!;
    expect(embed.title).toBe('Batch: Science');
    expect(embed.description).toContain('████████░░░░░░░░░░░░` 40% · 4/10');
    expect(embed.description).toContain('✅ 3 done · ❌ 1 failed · ⏳ 6 remaining');
    expect(embed.description).toContain('Working on: How bread rises (summary)');
    expect(embed.description).toContain('Elapsed 1m 20s · ETA ~2m 00s');
    expect(message.components[0]!.components[0]).toMatchObject({ custom_id: `batch:cancel:${job().id}`, style: 4 });
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('shows the outcome with failures and their reasons, and no button, once ended', () => {
    const items: ItemRecord[] = [
      { jobId: 'j', index: 0, videoId: 'aaaaaaaaaa1', url: 'u', input: 'i', status: 'done', attempts: 1, title: 'Bread *rises*' },
      {
        jobId: 'j',
        index: 1,
        videoId: 'bbbbbbbbbb2',
        url: 'u',
        input: 'i',
        status: 'failed',
        attempts: 1,
        error: { code: 'TRANSCRIPTS_DISABLED', message: 'This video has no captions.', retryable: false },
      },
    ];
    // A job with a failed video ends `failed`: it is over, like `done` and `cancelled`.
    const ended = job({ status: 'failed' });
    const message = renderProgressMessage({ job: ended, items, delivery: ['📦 ZIP attached'] });
    const embed = message.embeds[0]!;
    expect(embed.description).toContain('**Finished**: 3 succeeded, 1 failed of 10.');
    expect(embed.color).toBe(0xfaa61a);
    expect(embed.description).toContain('📦 ZIP attached');
    expect(embed.fields?.find((f) => f.name === 'Succeeded (1)')?.value).toContain('Bread \\*rises\\*');
    expect(embed.fields?.find((f) => f.name === 'Failed (1)')?.value).toContain('bbbbbbbbbb2: This video has no captions.');
    expect(message.components).toEqual([]);
  });

  it('shows a `done` job in green and a `cancelled` one in grey, neither with a button', () => {
    const counts = { pending: 0, running: 0, done: 10, failed: 0, cancelled: 0 };
    const done = renderProgressMessage({ job: job({ status: 'done', counts, progress: { ...job().progress, counts, ended: 10, percent: 100, current: [] } }) });
    expect(done.embeds[0]!.description).toContain('**Finished**: 10 succeeded, 0 failed of 10.');
    expect(done.embeds[0]!.color).toBe(0x57f287);
    expect(done.components).toEqual([]);
    const cancelled = renderProgressMessage({ job: job({ status: 'cancelled' }) });
    expect(cancelled.embeds[0]!.description).toContain('**Cancelled**: 3 succeeded, 1 failed of 10.');
    expect(cancelled.embeds[0]!.color).toBe(0x99aab5);
    expect(cancelled.components).toEqual([]);
  });

  it('stays within Discord limits with a visible marker when there is too much to show', () => {
    const rejected = Array.from({ length: 500 }, (_, i) => ({ input: `https://example.com/${i}`, reason: 'Not a YouTube link: example.com' }));
    const items: ItemRecord[] = Array.from({ length: 400 }, (_, i) => ({
      jobId: 'j',
      index: i,
      videoId: `v${String(i).padStart(10, '0')}`,
      url: 'u',
      input: 'i',
      status: i % 2 ? 'failed' : 'done',
      attempts: 1,
      title: 'A very long title '.repeat(20),
      error: { code: 'PROVIDER_ERROR', message: 'x'.repeat(500), retryable: false },
    }));
    const message = renderProgressMessage({ job: job({ status: 'failed', name: 'n'.repeat(400), rejected }), items });
    const embed = message.embeds[0]!;
    expect(embed.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedTitle);
    expect(embed.title).toContain(TRUNCATION_MARKER);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    for (const field of embed.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(embed.fields?.find((f) => f.name.startsWith('Rejected'))?.value).toMatch(/… and \d+ more$/);
  });
});

describe('helpers', () => {
  it('truncates with a marker and joins lines with a count of what was left out', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('x'.repeat(50), 20)).toBe(`${'x'.repeat(20 - TRUNCATION_MARKER.length)}${TRUNCATION_MARKER}`);
    expect(joinLines(['aaaa', 'bbbb', 'cccc', 'dddd'], 22)).toBe('aaaa\nbbbb\n… and 2 more');
    expect(formatDuration(3_725_000)).toBe('1h 02m');
    expect(formatDuration(9_000)).toBe('9s');
  });

  it('keeps custom ids within 100 characters', () => {
    expect(parseCancelCustomId(cancelCustomId('abc')!)).toBe('abc');
    expect(cancelCustomId('x'.repeat(95))).toBeUndefined();
    expect(parseCancelCustomId('other:button')).toBeUndefined();
  });

  it('names the ZIP after the batch, safely', () => {
    expect(zipFileName({ id: '0b7c4f5e-aaaa', name: 'My list: "videos" / 2025' })).toBe('tubesum-My-list-videos-2025.zip');
  });
});

describe('renderProgressMessage with playlists and channels', () => {
  const playlist = {
    input: 'https://www.youtube.com/playlist?list=PLx',
    kind: 'playlist' as const,
    list: 'playlist PLx',
    title: 'Talks *2024*',
    videoCount: 300,
    taken: 100,
    duplicates: 2,
    unavailable: 1,
    truncated: true,
  };
  const missing = {
    input: 'https://www.youtube.com/@gone',
    kind: 'channel' as const,
    list: 'channel @gone',
    taken: 0,
    duplicates: 0,
    unavailable: 0,
    truncated: false,
    error: { code: 'LIST_UNAVAILABLE' as const, message: 'There is no YouTube channel @gone.', retryable: false },
  };

  it('says what each list gave, its title escaped, before the progress', () => {
    const rendered = renderProgressMessage({ job: job({ lists: [playlist, missing] }) });
    const description = rendered.embeds[0]?.description ?? '';
    expect(description.split('\n').slice(0, 2)).toEqual([
      '📃 Playlist "Talks \\*2024\\*": 100 videos (capped at the per-batch limit; the rest was not taken; 1 unavailable; 2 already in the batch)',
      '⚠️ Channel `@gone` could not be read: There is no YouTube channel @gone.',
    ]);
  });

  it('shows the notes on inputs', () => {
    const notes = [{ input: 'https://youtu.be/aaaaaaaaaa1?list=PLx', videoId: 'aaaaaaaaaa1', note: 'Only this video was taken' }];
    const fields = renderProgressMessage({ job: job({ notes }) }).embeds[0]?.fields ?? [];
    expect(fields).toContainEqual({ name: 'Notes (1)', value: '`https://youtu.be/aaaaaaaaaa1?list=PLx`: Only this video was taken' });
  });
});
