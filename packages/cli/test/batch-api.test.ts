// `tubesum run --batch-api`: summaries through Anthropic's Message Batches API (the fake one), the
// wait shown instead of a frozen percentage, and the cost on the last line and in the ZIP.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../test-support/src/fake-anthropic-server.js';
import { runCli, tempHome } from './run-cli.js';

let server: FakeAnthropicServer;
beforeAll(async () => {
  server = await startFakeAnthropicServer();
});
afterAll(() => server.close());

describe('tubesum run --batch-api', () => {
  const { home, store } = tempHome();
  const env = () => ({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.url, TUBESUM_BATCH_WINDOW_MS: '1500', TUBESUM_BATCH_POLL_MS: '20' });

  it('sends the summaries in Message Batches and prints the cost on its last line', async () => {
    const out = join(home, 'batch.zip');
    const result = await runCli(['run', 'examples/urls.txt', '--transcripts', 'examples/transcripts', '--no-youtube', '--batch-api', '--json', '--out', out], {
      home,
      store,
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests).toHaveLength(0);
    // Collected as the transcripts came: one batch, two if the window closed before the last transcript.
    expect(server.batches.batches.length).toBeLessThanOrEqual(2);
    expect(server.batches.requestCount()).toBe(5);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const waiting = lines.flatMap((line) =>
      ((line['progress'] as { current?: { waiting?: { phase: string } }[] } | undefined)?.current ?? []).flatMap((current) =>
        current.waiting ? [current.waiting] : [],
      ),
    );
    expect(waiting.some((wait) => wait.phase === 'submitted')).toBe(true);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ type: 'result', status: 'done' });
    expect(last['costUsd']).toBeGreaterThan(0);

    // The same videos again, as a person sees it: the summaries come from the store (nothing more is
    // sent) and the last line still says what they cost.
    const again = await runCli(
      ['run', 'examples/urls.txt', '--transcripts', 'examples/transcripts', '--no-youtube', '--batch-api', '--out', join(home, 'again.zip')],
      {
        home,
        store,
        env: env(),
      },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim().split('\n').at(-1)).toMatch(/^Done: 5 done, cost \$0\.\d{4}\. ZIP written to /);
    expect(server.batches.requestCount()).toBe(5);

    const zip = await JSZip.loadAsync(await readFile(out));
    expect(await zip.file('index.md')!.async('string')).toMatch(/- \*\*Cost:\*\* \$0\.\d{4} for the summaries/);
    const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as { job: { costUsd: number }; items: { summary: { batchApi?: boolean } }[] };
    expect(manifest.job.costUsd).toBeCloseTo(last['costUsd'] as number, 12);
    expect(manifest.items.every((item) => item.summary.batchApi === true)).toBe(true);
  }, 60_000);

  it('refuses --batch-api without the Anthropic summarizer', async () => {
    const result = await runCli(['run', 'examples/urls.txt', '--transcripts', 'examples/transcripts', '--no-youtube', '--offline', '--batch-api'], {
      home,
      store,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/`--batch-api` sends summaries through Anthropic's Message Batches API: it needs ANTHROPIC_API_KEY/);
  });
});
