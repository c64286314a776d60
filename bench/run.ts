// `pnpm bench`: runs every benchmark, prints a table and writes bench-results.json at the repo root.
// Figures are ratios against a baseline measured in the same run; targets are checked, not asserted.
import { writeFileSync } from 'node:fs';
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
const results: BenchResult[] = [];
results.push(...runProcessorBenchmarks(log));
results.push(...(await runReplicaBenchmarks(log)));
results.push(...(await runWorkerBenchmarks(log)));
results.push(...(await runChaosBenchmarks(log)));
results.push(...runExportBenchmarks(log));
log('summarizers…');
results.push(...(await runSummarizerBenchmarks()));
results.push(...(await runMessageBatchBenchmarks(log)));
results.push(...runListBenchmarks(log));

for (const result of results) {
  if (result.pass === undefined && result.target !== 'report') {
    const pass = meets(result.ratio, result.target);
    if (pass !== undefined) result.pass = pass;
  }
}

const output = fileURLToPath(new URL('../bench-results.json', import.meta.url));
writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`);

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
