// One export benchmark step in a fresh process, so that its peak memory is its own.
// Usage: tsx bench/export-scenario.ts '<json ExportScenario>'  -> prints one JSON line of results.
//   seed:     runs a batch of `items` videos (fake transcript, fake ~3 KB summaries) into `directory`/store.sqlite
//   export:   opens that store and streams the job's ZIP to `directory`/export.zip (tubesum)
//   baseline: the same files with the same compression (DEFLATE level 6, JSZip streamFiles) to
//             `directory`/baseline.zip, their bytes taken beforehand from export.zip: no store, no rendering
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { deflateRawSync } from 'node:zlib';
import JSZip from 'jszip';
import { BatchProcessor, createSqliteStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';

export interface ExportScenario {
  step: 'seed' | 'export' | 'baseline';
  directory: string;
  items: number;
}

export interface ExportScenarioResult {
  /** seed: the job id; others: time to write the ZIP, in ms. */
  jobId?: string;
  wallMs: number;
  /** Peak resident memory of the process, in MB. */
  maxRssMb: number;
  zipBytes?: number;
  /** baseline: the time Node's zlib (native) takes to deflate the same bytes, in ms, for reference. */
  zlibMs?: number;
  /** baseline: files in the ZIP. */
  files?: number;
}

const scenario = JSON.parse(process.argv[2] ?? '{}') as ExportScenario;
const storePath = join(scenario.directory, 'store.sqlite');
const result: ExportScenarioResult = { wallMs: 0, maxRssMb: 0 };

if (scenario.step === 'seed') {
  const ids = Array.from({ length: scenario.items }, (_, index) => `b${String(index).padStart(10, '0')}`);
  const store = createSqliteStore({ path: storePath });
  const processor = new BatchProcessor({
    transcripts: new FakeTranscriptSource({ latencyMs: 0, segments: 4 }),
    summarizer: new FakeSummarizer({ latencyMs: 0, bodyChars: 3000 }),
    store,
    concurrency: { transcripts: 4, summaries: 16 },
  });
  const started = performance.now();
  const job = await processor.submit({ userId: 'bench', urls: ids.map((id) => `https://youtu.be/${id}`) });
  const ended = await processor.waitFor(job.id, job);
  if (ended.counts.done !== scenario.items) throw new Error(`only ${ended.counts.done} of ${scenario.items} done`);
  result.jobId = job.id;
  result.wallMs = performance.now() - started;
  await processor.close();
  await store.close?.();
} else if (scenario.step === 'export') {
  const store = createSqliteStore({ path: storePath });
  const processor = new BatchProcessor({
    transcripts: new FakeTranscriptSource(),
    summarizer: new FakeSummarizer(),
    store,
  });
  const [job] = await processor.list({ userId: 'bench' });
  if (job === undefined) throw new Error('no seeded job');
  const output = join(scenario.directory, 'export.zip');
  const started = performance.now();
  await pipeline(Readable.fromWeb(await processor.exportStream(job.id, { userId: 'bench' })), createWriteStream(output));
  result.wallMs = performance.now() - started;
  result.zipBytes = (await readFile(output)).byteLength;
  await processor.close();
  await store.close?.();
} else {
  const source = await JSZip.loadAsync(await readFile(join(scenario.directory, 'export.zip')));
  const files: Array<[string, Uint8Array, Date]> = [];
  for (const [name, file] of Object.entries(source.files)) {
    if (!file.dir) files.push([name, await file.async('uint8array'), file.date]);
  }
  result.files = files.length;
  const zlibStarted = performance.now();
  for (const [, bytes] of files) deflateRawSync(bytes, { level: 6 });
  result.zlibMs = performance.now() - zlibStarted;
  const output = join(scenario.directory, 'baseline.zip');
  const started = performance.now();
  const zip = new JSZip();
  for (const [name, bytes, date] of files) zip.file(name, bytes, { binary: true, date });
  const stream = zip.generateNodeStream({ streamFiles: true, compression: 'DEFLATE', compressionOptions: { level: 6 } });
  await pipeline(stream, createWriteStream(output));
  result.wallMs = performance.now() - started;
  result.zipBytes = (await readFile(output)).byteLength;
}
result.maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(result)}\n`);
