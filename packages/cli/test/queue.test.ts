// `tubesum worker` and `tubesum run --queue` as real processes on a real Redis: the videos run on
// the workers, the submitter shows the same progress and exit codes as in-process, a worker
// stopped with SIGTERM finishes the videos in hand, and no password is ever printed.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessReachable } from '../../core/test/storage/services.js';
import { startModelNamingServer } from '@tubesum/test-support';
import type { ModelNamingServer } from '@tubesum/test-support';
import { startCli, runCli, tempHome } from './run-cli.js';
import type { CliRun } from './run-cli.js';

const PASSWORD = 'not-a-real-s3cret';
// Redis without requirepass accepts any password for the default user: a URL with one, to check it is never shown.
const QUEUE = `redis://default:${PASSWORD}@127.0.0.1:6379`;
const skip = await skipUnlessReachable('Redis', 'redis://127.0.0.1:6379', 'the `tubesum worker` / `run --queue` suite');
const run = `tsq-${process.pid}-${Date.now().toString(36)}`;
const prefixes: string[] = [];
let count = 0;
/** A queue prefix (and store namespace) of its own per test. */
const freshPrefix = () => {
  const prefix = `${run}-${++count}`;
  prefixes.push(prefix);
  return prefix;
};
const URLS = 'examples/urls.txt'; // 5 videos (and a duplicate) whose captions are in examples/transcripts

// Each test starts two to four CLI processes: about 1 s each on a quiet machine, far more on a loaded one.
describe.skipIf(skip)('tubesum worker and run --queue on Redis', { timeout: 90_000 }, () => {
  let fake: ModelNamingServer;
  const { home } = tempHome();
  const workers: CliRun[] = [];

  /** A worker process on `prefix`, its summaries written by the fake OpenAI-compatible server. */
  async function startWorker(prefix: string, extra: string[] = []): Promise<CliRun> {
    const worker = startCli(
      [
        'worker',
        '--queue',
        QUEUE,
        '--queue-prefix',
        prefix,
        '--transcripts',
        'examples/transcripts',
        '--no-youtube',
        '--openai-url',
        fake.baseUrl,
        '--openai-model',
        'fake-model',
        ...extra,
      ],
      { home },
    );
    workers.push(worker);
    await worker.waitForStdout(/Worker ready/);
    return worker;
  }

  beforeAll(async () => {
    fake = await startModelNamingServer(50);
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    const redis = createClient({ url: 'redis://127.0.0.1:6379' });
    await redis.connect();
    for (const prefix of prefixes) {
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        const list = ([] as string[]).concat(keys);
        if (list.length > 0) await redis.del(list);
      }
    }
    await redis.quit();
  });

  it('runs a batch on two worker processes and writes the ZIP, never printing the password', async () => {
    const prefix = freshPrefix();
    const [first, second] = await Promise.all([startWorker(prefix), startWorker(prefix, ['--global-summaries', '3'])]);
    expect(first!.stdout()).toContain(`taking videos from redis://default:***@127.0.0.1:6379 (prefix ${prefix})`);
    expect(second!.stdout()).toContain('(3 summaries at once across all workers)');
    const before = fake.models.length;
    const out = join(home, `${prefix}.zip`);
    const result = await runCli(['run', URLS, '--queue', QUEUE, '--queue-prefix', prefix, '--out', out], { home });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Sending the videos to the workers of redis://default:***@127.0.0.1:6379');
    expect(result.stdout).toMatch(/Done: 5 done\. ZIP written to/);
    // Every summary came from the workers' summarizer, once per video.
    expect(fake.models.slice(before)).toEqual(Array(5).fill('fake-model'));
    const zip = await JSZip.loadAsync(readFileSync(out));
    expect(Object.keys(zip.files).filter((name) => /summaries\/.+\.md$/.test(name))).toHaveLength(5);
    for (const text of [result.stdout, result.stderr, first!.stdout(), second!.stdout(), first!.stderr(), second!.stderr()])
      expect(text).not.toContain(PASSWORD);
  });

  it('lets a worker stopped with SIGTERM finish the videos in hand; another worker does the rest', async () => {
    const prefix = freshPrefix();
    const first = await startWorker(prefix, ['--concurrency-summaries', '2']);
    const before = fake.models.length;
    fake.holdAfter(0); // the first summaries wait until released
    const out = join(home, `${prefix}.zip`);
    const submitter = startCli(['run', URLS, '--queue', QUEUE, '--queue-prefix', prefix, '--out', out, '--json'], { home });
    try {
      await waitUntil(() => fake.models.length - before === 2, 'two summaries in hand');
      first.child.kill('SIGTERM');
      await first.waitForStdout(/Stopping: taking no new video/);
      const second = startWorker(prefix);
      fake.release();
      const stopped = await first.done;
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toContain('Worker stopped.');
      await second;
      const result = await submitter.done;
      expect(result.code).toBe(0);
      const end = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type?: string; status?: string; counts?: { done: number } })
        .at(-1);
      expect(end).toMatchObject({ status: 'done', counts: { done: 5 } });
      // The two summaries in hand at the stop were finished, not written again by the other worker.
      expect(fake.models.length - before).toBe(5);
      expect(existsSync(out)).toBe(true);
    } finally {
      fake.release();
      if (submitter.child.exitCode === null) submitter.child.kill('SIGKILL');
    }
  });

  it('stops following on Ctrl-C with a resume hint, and resume --queue (TUBESUM_QUEUE_URL) finishes the batch on a worker', async () => {
    const prefix = freshPrefix();
    const out = join(home, `${prefix}.zip`);
    // No worker yet: the batch waits in the queue.
    const submitter = startCli(['run', URLS, '--queue', QUEUE, '--queue-prefix', prefix, '--out', out], { home });
    await waitUntil(() => submitter.stderr().includes('Ignored 1 duplicate'), 'the submitted batch');
    submitter.child.kill('SIGINT');
    const interrupted = await submitter.done;
    expect(interrupted.code).toBe(130);
    const hint = /Resume with: .* resume (\S+) --queue 'redis:\/\/default:\*\*\*@127\.0\.0\.1:6379' --queue-prefix (\S+) --out/.exec(interrupted.stdout);
    expect(hint?.[2]).toBe(prefix);
    expect(interrupted.stdout + interrupted.stderr).not.toContain(PASSWORD);

    await startWorker(prefix);
    const resumed = await runCli(['resume', hint![1]!, '--queue-prefix', prefix, '--out', out], { home, env: { TUBESUM_QUEUE_URL: QUEUE } });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Done: 5 done\. ZIP written to/);
    expect(existsSync(out)).toBe(true);
  });

  it('refuses a store the workers cannot reach, and a worker without a queue, with exit code 2', async () => {
    const [local, noQueue, summarizer] = await Promise.all([
      runCli(['run', URLS, '--queue', QUEUE, '--store', join(home, 'local.sqlite')], { home }),
      runCli(['worker', '--offline'], { home }),
      runCli(['run', URLS, '--queue', QUEUE, '--offline'], { home }),
    ]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('With `--queue`, `--store` (or TUBESUM_STORE) must be a store the workers reach too');
    expect(local.stderr).toContain('a SQLite store');
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toContain('`tubesum worker` needs `--queue <redis://…>`');
    expect(summarizer.code).toBe(2);
    expect(summarizer.stderr).toContain('`--offline` has no effect with `--queue`');
    for (const text of [local.stderr, summarizer.stderr]) expect(text).not.toContain(PASSWORD);
  });

  it('fails fast naming host and port, not the password, when the queue cannot be reached', async () => {
    const closed = `redis://default:${PASSWORD}@127.0.0.1:1`;
    const [worker, submitter] = await Promise.all([
      runCli(['worker', '--queue', closed, '--offline'], { home }),
      runCli(['run', URLS, '--queue', closed], { home }),
    ]);
    for (const result of [worker, submitter]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Could not connect to Redis at 127.0.0.1:1');
      expect(result.stderr + result.stdout).not.toContain(PASSWORD);
    }
  });
});

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
