import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { ExportScenario, ExportScenarioResult } from './export-scenario.js';
import { round } from './types.js';
import type { BenchResult } from './types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = {
  '@tubesum/core': join(root, 'packages/core/dist/index.js'),
  '@tubesum/core/testing': join(root, 'packages/core/dist/testing/index.js'),
};

/**
 * The scenario as users run tubesum: plain `node` on JavaScript importing the built
 * `@tubesum/core` (what the CLI runs), not tsx compiling the sources (about 76 MB of the
 * child's memory, and a different code path). esbuild bundles only the scenario's own code;
 * `@tubesum/core` is imported from its dist by file URL, and the file lands under the root
 * node_modules/.cache so that its other imports (fflate, jszip) resolve.
 */
function bundleScenario(): string {
  const outfile = join(root, 'node_modules/.cache/tubesum-bench/export-scenario.mjs');
  const { outputFiles } = buildSync({
    entryPoints: [fileURLToPath(new URL('./export-scenario.ts', import.meta.url))],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Every package stays an import; tsconfig's paths would bundle @tubesum/core's sources.
    packages: 'external',
    external: Object.keys(built),
    logLevel: 'warning',
  });
  let code = outputFiles[0]?.text ?? '';
  for (const [specifier, file] of Object.entries(built)) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`pnpm build\` first (\`pnpm bench\` does)`);
    const quoted = JSON.stringify(specifier);
    if (!code.includes(quoted)) throw new Error(`bench/export: the bundled scenario does not import ${specifier}`);
    code = code.replaceAll(quoted, JSON.stringify(pathToFileURL(file).href));
  }
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, code);
  return outfile;
}

let script: string | undefined;

function step(scenario: ExportScenario): ExportScenarioResult {
  script ??= bundleScenario();
  const output = execFileSync('node', [script, JSON.stringify(scenario)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ExportScenarioResult;
}

/** Seeds a store with `items` summaries, streams its export in a fresh process, then the baseline writers, each in its own. */
function measure(items: number, log: (line: string) => void, withBaselines: boolean) {
  const directory = mkdtempSync(join(tmpdir(), 'tubesum-bench-export-'));
  try {
    log(`export: seeding ${items.toLocaleString('en-US')} summaries of ~3 KB into SQLite…`);
    step({ step: 'seed', directory, items });
    log(`export: streaming the ZIP of ${items.toLocaleString('en-US')} summaries to a file…`);
    const exported = step({ step: 'export', directory, items });
    if (!withBaselines) return { exported };
    log('export: baseline writer, fflate (same files, same compression, outside tubesum)…');
    const baseline = step({ step: 'baseline', directory, items });
    log('export: JSZip, the writer before fflate (same files, same compression)…');
    const jszip = step({ step: 'jszip', directory, items });
    return { exported, baseline, jszip };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export function runExportBenchmarks(log: (line: string) => void): BenchResult[] {
  const ten = measure(10_000, log, true);
  const fifty = measure(50_000, log, false);
  const missing: ExportScenarioResult = { wallMs: Number.NaN, maxRssMb: Number.NaN };
  const baseline = ten.baseline ?? missing;
  const jszip = ten.jszip ?? missing;
  return [
    {
      name: 'export-10k',
      value: round(ten.exported.wallMs / 1000),
      unit: 's',
      baseline: round(baseline.wallMs / 1000),
      ratio: round(ten.exported.wallMs / baseline.wallMs),
      target: '<= 1.5',
      note:
        `exportStream of 10,000 ~3 KB summaries from SQLite to a file; baseline: tubesum's writer outside tubesum (fflate's streaming Zip, each file deflated by zlib at level 6) writing the same ` +
        `${baseline.files ?? '?'} files from memory to a file; ZIP ${round((ten.exported.zipBytes ?? 0) / 1e6, 1)} MB (baseline ${round((baseline.zipBytes ?? 0) / 1e6, 1)} MB); ` +
        `native zlib deflates the same bytes in ${round((baseline.zlibMs ?? 0) / 1000)} s`,
    },
    {
      name: 'export-10k-jszip-baseline',
      value: round(jszip.wallMs / 1000),
      unit: 's',
      baseline: round(baseline.wallMs / 1000),
      ratio: round(jszip.wallMs / baseline.wallMs),
      target: 'report',
      note:
        `JSZip (streamFiles, DEFLATE 6), the writer before fflate, writing the same ${jszip.files ?? '?'} files from memory: ` +
        `${round(jszip.wallMs / 1000)} s and ${round(jszip.maxRssMb, 1)} MB peak RSS, against ${round(ten.exported.wallMs / 1000)} s and ` +
        `${round(ten.exported.maxRssMb, 1)} MB for the whole tubesum export (store reads and rendering included); ratio: JSZip / fflate baseline`,
    },
    {
      name: 'export-10k-peak-rss',
      value: round(ten.exported.maxRssMb, 1),
      unit: 'MB',
      baseline: round(baseline.maxRssMb, 1),
      ratio: round(ten.exported.maxRssMb / baseline.maxRssMb),
      target: 'value <= 200',
      pass: ten.exported.maxRssMb <= 200,
      note:
        `peak RSS of a fresh process streaming the export of 10,000 summaries to a file; it had ${round(ten.exported.startRssMb ?? Number.NaN, 1)} MB ` +
        'before the export started (node, the built @tubesum/core and its SDKs loaded, store open); baseline: the fflate baseline process, which holds every file in memory',
    },
    {
      name: 'export-50k-peak-rss',
      value: round(fifty.exported.maxRssMb, 1),
      unit: 'MB',
      baseline: round(ten.exported.maxRssMb, 1),
      ratio: round(fifty.exported.maxRssMb / ten.exported.maxRssMb),
      target: '<= 1.5',
      note:
        `peak RSS streaming 50,000 summaries / streaming 10,000 (memory must not grow with the videos); 50k export took ${round(fifty.exported.wallMs / 1000)} s, ` +
        `from ${round(fifty.exported.startRssMb ?? Number.NaN, 1)} MB before it started`,
    },
  ];
}

// `pnpm build && tsx bench/export.ts`: only these benchmarks.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const result of runExportBenchmarks((line) => process.stderr.write(`${line}\n`))) console.log(JSON.stringify(result));
}
