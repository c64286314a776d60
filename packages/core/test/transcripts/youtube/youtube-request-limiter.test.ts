import { describe, expect, it } from 'vitest';
import { TubesumError } from '../../../src/errors.js';
import { YouTubeRequestLimiter } from '../../../src/transcripts/youtube/youtube-request-limiter.js';
import { YouTubeTranscriptSource } from '../../../src/transcripts/youtube/youtube-transcript-source.js';
import { fakeYouTube, recorded, skipWithoutRecordedYouTube } from '../fake-youtube.js';
import type { Handler } from '../fake-youtube.js';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sorted gaps between consecutive start times. */
function gaps(starts: readonly number[]): number[] {
  const sorted = [...starts].sort((a, b) => a - b);
  return sorted.slice(1).map((start, index) => start - (sorted[index] as number));
}

const skip = skipWithoutRecordedYouTube();

describe('YouTubeRequestLimiter', () => {
  it.skipIf(skip)('keeps a 50-video batch within its pace: gaps at least minIntervalMs, at most `concurrency` at once', async () => {
    const limiter = new YouTubeRequestLimiter({ concurrency: 2, minIntervalMs: 20, jitterMs: 5 });
    const starts: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const answer =
      (body: string): Handler =>
      async () => {
        starts.push(performance.now());
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await delay(5);
        inFlight -= 1;
        return new Response(body);
      };
    const youtube = fakeYouTube({
      player: answer(recorded('youtube_ww1_nl_en.innertube.json')),
      captions: answer(recorded('transcript.xml')),
    });
    // Two sources on one limiter, as two jobs of one process would be.
    const sources = [0, 1].map(() => new YouTubeTranscriptSource({ fetch: youtube.fetch, limiter, oEmbed: false }));
    const ids = Array.from({ length: 50 }, (_, index) => `video${String(index).padStart(6, '0')}`);
    const transcripts = await Promise.all(ids.map((id, index) => sources[index % 2]?.fetchTranscript(id)));
    expect(transcripts.every((transcript) => transcript?.segments.length === 3)).toBe(true);
    expect(starts).toHaveLength(100);
    expect(Math.min(...gaps(starts))).toBeGreaterThanOrEqual(20);
    expect(mostInFlight).toBeLessThanOrEqual(2);
    expect(limiter.active + limiter.waiting).toBe(0);
  });

  it('holds at most `concurrency` tasks at once', async () => {
    const limiter = new YouTubeRequestLimiter({ concurrency: 3, minIntervalMs: 0, jitterMs: 0 });
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limiter.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await delay(2);
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('pauses after repeated blocks, longer each time, until a success', async () => {
    const limiter = new YouTubeRequestLimiter({ minIntervalMs: 0, jitterMs: 0, blockedThreshold: 2, blockedPauseMs: 100 });
    limiter.reportBlocked();
    expect(limiter.pauseRemainingMs).toBe(0);
    const blockedAt = performance.now();
    limiter.reportBlocked();
    expect(limiter.pauseRemainingMs).toBeGreaterThan(50);
    const startedAt = await limiter.run(async () => performance.now());
    expect(startedAt - blockedAt).toBeGreaterThanOrEqual(100);
    limiter.reportBlocked();
    expect(limiter.pauseRemainingMs).toBeGreaterThan(150);
    limiter.reportSuccess();
    await delay(250);
    limiter.reportBlocked();
    expect(limiter.pauseRemainingMs).toBe(0);
  });

  it('lets a waiting task go when its signal aborts', async () => {
    const limiter = new YouTubeRequestLimiter({ concurrency: 1, minIntervalMs: 60_000, jitterMs: 0 });
    await limiter.run(async () => undefined);
    const controller = new AbortController();
    const reason = new Error('stop');
    let ran = false;
    const waiting = limiter.run(async () => {
      ran = true;
    }, controller.signal);
    expect(limiter.waiting).toBe(1);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(limiter.waiting).toBe(0);
    expect(ran).toBe(false);
  });

  it('passes a task failure through and frees its slot', async () => {
    const limiter = new YouTubeRequestLimiter({ concurrency: 1, minIntervalMs: 0, jitterMs: 0 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      limiter.run(() => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    expect(await limiter.run(async () => 'ok')).toBe('ok');
  });

  it('is shared by every source that has no limiter of its own', async () => {
    const unavailable = JSON.stringify({ playabilityStatus: { status: 'ERROR', reason: 'This video is unavailable' } });
    const youtube = fakeYouTube({ player: () => new Response(unavailable) });
    const starts: number[] = [];
    const fetch: typeof youtube.fetch = (input, init) => {
      starts.push(performance.now());
      return youtube.fetch(input, init);
    };
    const first = new YouTubeTranscriptSource({ fetch });
    const second = new YouTubeTranscriptSource({ fetch });
    const outcomes = await Promise.allSettled([first.fetchTranscript('GJLlxj_dtq8'), second.fetchTranscript('GJLlxj_dtq8')]);
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason instanceof TubesumError)).toEqual([true, true]);
    expect(gaps(starts)[0]).toBeGreaterThanOrEqual(1000);
  });

  it('validates its options', () => {
    expect(() => new YouTubeRequestLimiter({ concurrency: 1.5 })).toThrow('Expected `concurrency` to be a positive integer, got `1.5`');
    expect(() => new YouTubeRequestLimiter({ minIntervalMs: -1 })).toThrow(/`minIntervalMs`/);
  });
});
