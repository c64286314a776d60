// `pnpm bench [section…]`: runs every benchmark (or the sections named), prints a table and writes
// bench-results.json at the repo root (a run of some sections keeps the other sections' figures).
// Figures are ratios against a baseline measured in the same run; targets are checked, not asserted.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runListBenchmarks } from './lists.js';
import { runExportBenchmarks } from './export.js';
import { runProcessorBenchmarks } from './processor.js';
import { runReplicaBenchmarks } from './replicas.js';
import { runWorkerBenchmarks } from './workers.js';
import { runChaosBenchmarks } from './chaos.js';
import { runSummarizerBenchmarks } from './summarizers.js';
import { runMessageBatchBenchmarks } from './message-batches.js';
import { meets } from './types.js';
import type { BenchResult } from './types.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Every section, in the order they run; `pnpm bench <section…>` runs only those. */
const SECTIONS: Record<string, () => BenchResult[] | Promise<BenchResult[]>> = {
  processor: () => runProcessorBenchmarks(log),
  replicas: () => runReplicaBenchmarks(log),
  workers: () => runWorkerBenchmarks(log),
  chaos: () => runChaosBenchmarks(log),
  export: () => runExportBenchmarks(log),
  summarizers: () => {
    log('summarizers…');
    return runSummarizerBenchmarks();
  },
  'message-batches': () => runMessageBatchBenchmarks(log),
  lists: () => runListBenchmarks(log),
};
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !Object.hasOwn(SECTIONS, name));
if (unknown.length > 0) {
  log(`unknown bench section(s): ${unknown.join(', ')}; the sections are: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}
const results: BenchResult[] = [];
for (const [name, run] of Object.entries(SECTIONS)) if (wanted.length === 0 || wanted.includes(name)) results.push(...(await run()));

for (const result of results) {
  if (result.pass === undefined && result.target !== 'report') {
    const pass = meets(result.ratio, result.target);
    if (pass !== undefined) result.pass = pass;
  }
}

const output = fileURLToPath(new URL('../bench-results.json', import.meta.url));
// A run of some sections replaces their figures and keeps the others' (from an earlier run).
const kept =
  wanted.length === 0 || !existsSync(output)
    ? []
    : (JSON.parse(readFileSync(output, 'utf8')) as BenchResult[]).filter((old) => !results.some((fresh) => fresh.name === old.name));
writeFileSync(output, `${JSON.stringify([...kept, ...results], null, 2)}\n`);

const rows = results.map((result) => [
  result.name,
  `${result.value} ${result.unit}`,
  `${result.baseline} ${result.unit}`,
  String(result.ratio),
  result.target,
  result.pass === undefined ? '' : result.pass ? 'pass' : 'FAIL',
]);
const header = ['benchmark', 'value', 'baseline', 'ratio', 'target', ''];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
const format = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
console.log(format(header));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const row of rows) console.log(format(row));
for (const result of results) if (result.note) console.log(`- ${result.name}: ${result.note}`);
console.log(`\nwrote ${output}`);
if (results.some((result) => result.pass === false)) process.exitCode = 1;
