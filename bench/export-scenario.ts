// One export benchmark step in a fresh process, so that its peak memory is its own.
// Usage: node <bundle> '<json ExportScenario>'  -> prints one JSON line of results. bench/export.ts
// bundles this file with esbuild into plain JavaScript importing the built @tubesum/core (dist).
//   seed:     runs a batch of `items` videos (fake transcript, fake summaries with 3,000 characters of chapters: files of about 4.4 KB) into `directory`/store.sqlite
//   export:   opens that store and streams the job's ZIP to `directory`/export.zip (tubesum)
//   baseline: the writer tubesum uses, set up the same way (fflate's streaming Zip, each file
//             deflated whole by zlib at level 6, with the smallest window that holds it, as
//             tubesum does: the bytes of the default window, for less work) writing the same files
//             to `directory`/baseline.zip, their bytes taken beforehand from export.zip: no store,
//             no rendering, no tubesum code
//   read:     opens that store and reads the job's pages as the export does (storePageReader, 200
//             items with their summaries a page), nothing else: the part of an export no writer can save
//   jszip:    JSZip (streamFiles, DEFLATE level 6), the writer before fflate, writing the same files
import { createWriteStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { deflateRawSync } from 'node:zlib';
import { Zip, ZipPassThrough, unzipSync } from 'fflate';
import { BatchProcessor, createSqliteStore, storePageReader } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';

export interface ExportScenario {
  step: 'seed' | 'export' | 'read' | 'baseline' | 'jszip';
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
  /** baseline: the time Node's zlib (native) takes to deflate the same bytes at level 6, sized windows, in ms, for reference. */
  zlibMs?: number;
  /** baseline: the same with zlib's default window (32 KB for every file), in ms. */
  zlibDefaultWindowMs?: number;
  /** baseline, jszip: files in the ZIP. */
  files?: number;
  /** export: the process's RSS just before the export starts (node, the built @tubesum/core loaded, store open), in MB. */
  startRssMb?: number;
  /** export, read: CPU time of the whole process (every thread, user and system) while it ran, in ms. */
  cpuMs?: number;
}

/** The smallest zlib window that holds `size` bytes: tubesum's rule (file-deflater.ts), the same bytes as the default window. */
function windowBitsFor(size: number): number {
  let bits = 9;
  while (bits < 15 && (1 << bits) - 262 < size) bits += 1;
  return bits;
}

/** A file deflated whole by zlib inside fflate's Zip: what tubesum's writer does with each summary. */
class DeflatedWhole extends ZipPassThrough {
  constructor(name: string) {
    super(name);
    this.compression = 8;
  }

  protected override process(chunk: Uint8Array, final: boolean): void {
    this.ondata(null, deflateRawSync(chunk, { level: 6, windowBits: windowBitsFor(chunk.byteLength) }), final);
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
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
  result.startRssMb = process.memoryUsage().rss / 1048576;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pipeline(Readable.fromWeb(await processor.exportStream(job.id, { userId: 'bench' })), createWriteStream(output));
  result.wallMs = performance.now() - started;
  result.cpuMs = cpuMsSince(cpu);
  result.zipBytes = (await stat(output)).size;
  await processor.close();
  await store.close?.();
} else if (scenario.step === 'read') {
  const store = createSqliteStore({ path: storePath });
  const [jobId] = await store.listJobIds('bench');
  if (jobId === undefined) throw new Error('no seeded job');
  const read = storePageReader(store, jobId);
  const signal = new AbortController().signal;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let entries = 0;
  for (let offset = 0; ; offset += 200) {
    const page = await read({ offset, limit: 200, summaries: true, transcripts: false, signal });
    entries += page.filter((entry) => entry.summary !== undefined).length;
    if (page.length < 200) break;
  }
  result.wallMs = performance.now() - started;
  result.cpuMs = cpuMsSince(cpu);
  if (entries !== scenario.items) throw new Error(`read ${entries} summaries of ${scenario.items}`);
  await store.close?.();
} else {
  // The files of tubesum's ZIP, in its order, held in memory before the clock starts.
  const files = Object.entries(unzipSync(await readFile(join(scenario.directory, 'export.zip')))).filter(([name]) => !name.endsWith('/'));
  const date = new Date('2026-02-01T00:00:00Z');
  result.files = files.length;
  const output = join(scenario.directory, `${scenario.step}.zip`);
  if (scenario.step === 'baseline') {
    const defaultStarted = performance.now();
    for (const [, bytes] of files) deflateRawSync(bytes, { level: 6 });
    result.zlibDefaultWindowMs = performance.now() - defaultStarted;
    const zlibStarted = performance.now();
    for (const [, bytes] of files) deflateRawSync(bytes, { level: 6, windowBits: windowBitsFor(bytes.byteLength) });
    result.zlibMs = performance.now() - zlibStarted;
    const started = performance.now();
    const handle = await open(output, 'w');
    let chunks: Uint8Array[] = [];
    let buffered = 0;
    const zip = new Zip((error, data) => {
      if (error) throw error;
      chunks.push(data);
      buffered += data.byteLength;
    });
    const flush = async () => {
      await handle.write(Buffer.concat(chunks));
      chunks = [];
      buffered = 0;
    };
    for (const [name, bytes] of files) {
      const file = new DeflatedWhole(name);
      file.mtime = date;
      zip.add(file);
      file.push(bytes, true);
      if (buffered >= 64 * 1024) await flush();
    }
    zip.end();
    await flush();
    await handle.close();
    result.wallMs = performance.now() - started;
  } else {
    const started = performance.now();
    // Loaded here only: the other steps do not pay for its memory.
    const { default: JSZip } = await import('jszip');
    const zip = new JSZip();
    for (const [name, bytes] of files) zip.file(name, bytes, { binary: true, date });
    const stream = zip.generateNodeStream({ streamFiles: true, compression: 'DEFLATE', compressionOptions: { level: 6 } });
    await pipeline(stream, createWriteStream(output));
    result.wallMs = performance.now() - started;
  }
  result.zipBytes = (await stat(output)).size;
}
result.maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(result)}\n`);
