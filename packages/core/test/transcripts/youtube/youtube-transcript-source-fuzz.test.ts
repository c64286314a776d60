import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError } from '../../../src/errors.js';
import { YouTubeTranscriptSource } from '../../../src/transcripts/youtube/youtube-transcript-source.js';
import { connectionReset, fakeYouTube, fastLimiter, handWritten, recorded, skipWithoutRecordedYouTube, text } from '../fake-youtube.js';
import type { Handler } from '../fake-youtube.js';
import { seededRandom } from '../../support/seeded-random.js';

// Recorded answers, read once the suite runs (a skipped suite reads nothing).
let PLAYERS: string[] = [];
let PAGES: string[] = [];
let CAPTIONS: string[] = [];
function readAnswers() {
  PLAYERS = ['youtube.innertube.json', 'youtube_ww1_nl_en.innertube.json', 'youtube_age_restricted.innertube.json', 'youtube_unplayable.innertube.json'].map(
    (name) => recorded(name).trim(),
  );
  PAGES = ['youtube.html', 'youtube_consent_page.html', 'youtube_too_many_requests.html'].map((name) => recorded(name));
  CAPTIONS = [recorded('transcript.xml').trim(), handWritten('transcript.srv3.xml').trim()];
}
const STATUSES = [200, 204, 301, 403, 404, 410, 429, 500, 502, 503];

function makeCase(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (max: number) => Math.floor(random() * max);
  const bytes = () => {
    const length = int(3000);
    const buffer = new Uint8Array(length);
    for (let index = 0; index < length; index += 1) buffer[index] = int(256);
    return buffer;
  };
  const truncated = (whole: string) => whole.slice(0, int(whole.length));
  const errorPage = (): Handler =>
    text(`<!DOCTYPE html><html><head><title>Error ${int(600)}</title></head><body>Something went wrong</body></html>`, pick(STATUSES));
  const randomBytes = (): Handler => () => new Response(bytes(), { status: pick(STATUSES) === 200 ? 200 : pick(STATUSES) });
  const junkJson = (): Handler =>
    text(
      JSON.stringify(
        pick<unknown>([
          {},
          [],
          null,
          'x',
          42,
          { playabilityStatus: { status: pick(['OK', 'ERROR', 'LOGIN_REQUIRED', 'UNPLAYABLE', 'WHATEVER', 7]) } },
          {
            playabilityStatus: { status: 'OK' },
            captions: {
              playerCaptionsTracklistRenderer: {
                captionTracks: pick<unknown>([
                  [],
                  [null],
                  [{ baseUrl: 7, languageCode: 'en' }],
                  [{ baseUrl: 'https://evil.example/api/timedtext', languageCode: 'en' }],
                  [{ baseUrl: 'https://www.youtube.com/api/timedtext?v=x&lang=en', languageCode: 'en' }],
                  [{ baseUrl: 'https://www.youtube.com/api/timedtext?v=x&lang=de', languageCode: 'de', kind: 'asr' }],
                  'tracks',
                ]),
              },
            },
          },
        ]),
      ),
    );
  const thrown = (): Handler =>
    pick<Handler>([
      connectionReset(),
      () => {
        throw new Error('socket hang up');
      },
      () => Promise.reject(new Error('read ETIMEDOUT')),
    ]);

  const player = pick<() => Handler>([
    randomBytes,
    () => text(truncated(pick(PLAYERS)), pick([200, 200, 500])),
    errorPage,
    () => text('', pick(STATUSES)),
    junkJson,
    () => text(pick(PLAYERS)),
    thrown,
  ])();
  const watch = pick<() => Handler>([
    randomBytes,
    () => text(truncated(pick(PAGES))),
    () => text(pick(PAGES)),
    errorPage,
    () => text(`<script>var ytInitialPlayerResponse = ${truncated(pick(PLAYERS))}</script>`),
    thrown,
  ])();
  // Never a complete caption file: every case must end in a typed error.
  const captions = pick<() => Handler>([
    randomBytes,
    () => text(truncated(pick(CAPTIONS)), pick([200, 200, 200, 404, 429, 500])),
    errorPage,
    () => text('', 200),
    thrown,
  ])();
  const oembed = pick<() => Handler>([randomBytes, errorPage, thrown])();
  return { player, watch, captions, oembed };
}

describe.skipIf(skipWithoutRecordedYouTube())('YouTubeTranscriptSource fed random and truncated answers', () => {
  beforeAll(readAnswers);

  it('always fails with a typed TubesumError, never a crash, a hang or an empty transcript', async () => {
    const codes = new Set<string>(Object.values(ErrorCode));
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 400; seed += 1) {
      const youtube = fakeYouTube(makeCase(seededRandom(seed)));
      const transcripts = new YouTubeTranscriptSource({ fetch: youtube.fetch, limiter: fastLimiter(), requestTimeoutMs: 1000 });
      const outcome: unknown = await transcripts.fetchTranscript('GJLlxj_dtq8').then(
        (transcript) => transcript,
        (error: unknown) => error,
      );
      if (!(outcome instanceof TubesumError)) {
        throw new Error(`seed ${seed}: expected a TubesumError, got ${outcome instanceof Error ? outcome.stack : JSON.stringify(outcome)}`);
      }
      expect(codes.has(outcome.code), `seed ${seed}: unknown code ${outcome.code}`).toBe(true);
      expect(outcome.videoId, `seed ${seed}: ${outcome.message}`).toBe('GJLlxj_dtq8');
      seen.set(outcome.code, (seen.get(outcome.code) ?? 0) + 1);
    }
    // The cases reach deep enough to produce a range of failures, not one catch-all.
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });
});
