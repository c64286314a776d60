import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import JSZip from 'jszip';
import { createClient } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchProcessor, createSqliteStore, openStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { Relay, skipUnlessReachable } from '../../core/test/storage/services.js';
import { INVOCATION, runCli, startCli, tempHome } from './run-cli.js';

const OFFLINE = ['--transcripts', 'examples/transcripts', '--offline'];

describe('--out is checked before the batch runs (exit 2)', () => {
  const { home, store } = tempHome();

  it('a folder', async () => {
    const folder = join(home, 'out-folder');
    await mkdir(folder);
    const result = await runCli(['run', 'examples/urls.txt', ...OFFLINE, '--out', folder], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`tubesum: --out ${folder}: is a folder; give the ZIP a file name, for example --out ${folder}/summaries.zip.\n`);
    expect(result.stdout).not.toContain('Started batch');
    const list = await runCli(['list'], { home, store });
    expect(list.stdout).toContain('No batches yet.');
  });

  it('a place no file can be created (read-only, permission denied)', async () => {
    const result = await runCli(['run', 'examples/urls.txt', ...OFFLINE, '--out', '/sys/tubesum.zip'], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('tubesum: --out /sys/tubesum.zip: cannot create a file in /sys (permission denied).\n');
    expect(result.stdout).not.toContain('Started batch');
  });

  it('a path through a file', async () => {
    const file = join(home, 'a-file.txt');
    await writeFile(file, 'not a folder');
    const result = await runCli(['export', 'whatever', '--out', join(file, 'x.zip')], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`tubesum: --out ${join(file, 'x.zip')}: ${file} is a file, not a folder.\n`);
  });
});

describe('writing the ZIP', () => {
  const { home, store } = tempHome();

  it('--with-transcripts adds each transcript as text and SRT', async () => {
    const out = join(home, 'with-transcripts.zip');
    const result = await runCli(['run', 'examples/urls.txt', ...OFFLINE, '--with-transcripts', '--out', out], { home, store });
    expect(result.code, result.stderr).toBe(0);
    const names = Object.keys((await JSZip.loadAsync(await readFile(out))).files);
    expect(names.filter((name) => name.startsWith('transcripts/') && name.endsWith('.txt'))).toHaveLength(5);
    expect(names.filter((name) => name.startsWith('transcripts/') && name.endsWith('.srt'))).toHaveLength(5);
  });

  it('a failure while writing removes the partial file, says the batch is saved and how to write it', async () => {
    // Break one cached summary: the batch is in the store, its ZIP cannot be made.
    const sqlite = createSqliteStore({ path: store });
    const [jobId] = await sqlite.listJobIds('local');
    const [item] = await sqlite.getItems(jobId!, { offset: 0, limit: 1 });
    await sqlite.setCached(item!.summaryKey!, { version: 1, broken: true });
    await sqlite.close?.();

    const folder = join(home, 'zips');
    const out = join(folder, 'broken.zip');
    const result = await runCli(['export', jobId!, '--out', out], { home, store });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `tubesum: Could not write the ZIP to ${out}: Expected \`entries[0].summary.transcriptLanguage\` to be a string, got \`undefined\` [INVALID_OPTIONS]. ` +
        `The batch is saved; write its ZIP with: ${INVOCATION} export ${jobId} --out ${out}\n`,
    );
    expect(await readdir(folder)).toEqual([]);
  });
});

// The CLI reads the store through a relay that stops passing Redis' replies halfway through the
// summaries, so the export is surely mid-way when Ctrl-C comes. (On a store the test cannot hold, a
// loaded machine could finish the ZIP before the signal arrived.) Only this file uses Redis
// database 15, and it empties it after.
const REDIS_DB = 'redis://127.0.0.1:6379/15';
const skipRedis = await skipUnlessReachable('Redis', REDIS_DB, 'the "Ctrl-C while the ZIP is written" test');

describe.skipIf(skipRedis)('Ctrl-C while the ZIP is written', () => {
  const relay = new Relay(6379);
  afterAll(async () => {
    relay.release();
    await relay.cut();
    const redis = createClient({ url: REDIS_DB });
    await redis.connect();
    await redis.flushDb();
    await redis.quit();
  });

  it('stops, removes the partial file, exits 130 and says how to write the ZIP later', async () => {
    const { home } = tempHome();
    const seeding = await openStore(REDIS_DB);
    const processor = new BatchProcessor({
      transcripts: new FakeTranscriptSource(),
      summarizer: new FakeSummarizer({ bodyChars: 3000 }),
      store: seeding,
      concurrency: { transcripts: 8, summaries: 16 },
    });
    const ids = Array.from({ length: 3000 }, (_, index) => `c${String(index).padStart(10, '0')}`);
    const job = await processor.submit({ userId: 'local', urls: ids.map((id) => `https://youtu.be/${id}`) });
    await processor.waitFor(job.id, job);
    await processor.close();
    await seeding.close?.();

    await relay.start();
    // The whole export reads 13.5 MB of replies (3,000 summaries of 3,000 characters); by the time
    // the partial file exists, less than 2 MB (the job and its first pages), measured.
    const held = relay.holdRepliesAfter(6_000_000);
    const store = `redis://127.0.0.1:${relay.port}/15`;
    const folder = join(home, 'zips');
    await mkdir(folder);
    const out = join(folder, 'big.zip');
    const partialExists = async () => (await readdir(folder)).some((name) => name.endsWith('.partial'));
    const run = startCli(['export', job.id, '--out', out, '--store', store], { home });
    await held;
    while (!(await partialExists())) await delay(20);
    run.child.kill('SIGINT');
    // The partial file is removed at once; Redis' replies then pass again so the store can close.
    while (await partialExists()) await delay(20);
    relay.release();
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toBe(
      `tubesum: Interrupted while writing the ZIP; no file was written. The batch is saved: write its ZIP with: ${INVOCATION} export ${job.id} --out ${out} --store ${store}\n`,
    );
    expect(await readdir(folder)).toEqual([]);
  }, 120_000);
});
