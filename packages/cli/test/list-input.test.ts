import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { allRecordedRoutes, listRecordingsAvailable, replayFetch } from '../../core/test/support/list-recordings.js';
import { runCli as runTubesum } from '../src/cli.js';
import type { CliContext } from '../src/context.js';
import { ROOT, runCli, tempHome } from './run-cli.js';

const PLAYLIST = 'https://www.youtube.com/playlist?list=PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj';

describe('tubesum run with playlist links', () => {
  it('rejects --max-videos that is not a positive integer', async () => {
    const { home, store } = tempHome();
    const result = await runCli(['run', PLAYLIST, '--offline', '--max-videos', '0'], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max-videos');
  });

  it('with --no-youtube, a playlist link is skipped with the reason', async () => {
    const { home, store } = tempHome();
    const result = await runCli(['run', PLAYLIST, '--transcripts', 'examples/transcripts', '--no-youtube', '--offline'], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('This is a playlist link');
  });

  it.skipIf(!listRecordingsAvailable())('prints each playlist it expands and honours --max-videos (recorded YouTube answers)', async () => {
    const { store } = tempHome();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let errors = '';
    stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    let interrupt: () => void = () => {};
    const context: CliContext = {
      stdout,
      stderr,
      stdin: Readable.from([]),
      env: { TUBESUM_STORE: store },
      cwd: ROOT,
      onInterrupt(listener) {
        interrupt = listener;
        return () => {};
      },
      exit(code) {
        throw new Error(`exit ${code}`);
      },
      fetch: replayFetch(allRecordedRoutes('huge', 'notAvailable')).fetch,
    };
    const running = runTubesum(['run', PLAYLIST, 'PL11111111111111111111111111111111', '--offline', '--max-videos', '3'], context);
    while (!out.includes('Started batch')) await new Promise((resolve) => setTimeout(resolve, 20));
    // The videos' transcripts are not recorded: stop once the expansion is shown.
    interrupt();
    expect(await running).toBe(130);
    expect(out).toMatch(/^Playlist "I Wanna Rock Super Gigantic Playlist 1[^\n]*": 3 videos \(capped at --max-videos; the rest was not taken\)$/m);
    expect(out).toContain(
      'Playlist PL11111111111111111111111111111111 could not be read: YouTube cannot show playlist PL11111111111111111111111111111111: The playlist does not exist.',
    );
    expect(errors).toContain('Not taken: the batch is capped at 3 videos (maxVideos); this video and 4,995 more of playlist "I Wanna Rock');
  });
});
