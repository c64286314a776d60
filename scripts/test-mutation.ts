// `pnpm test:mutation [module …]`: one Stryker run per module against its own tests, then a table
// of mutation scores per module. Exits 1 when a module scores below 85%.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MUTATION_MODULES } from './mutation-modules.js';

const THRESHOLD = 85;
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in MUTATION_MODULES));
if (unknown.length > 0) {
  console.error(`Unknown module ${unknown.join(', ')}; expected one of ${Object.keys(MUTATION_MODULES).join(', ')}`);
  process.exit(2);
}

const rows: { name: string; detected: number; undetected: number; score: number }[] = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(MUTATION_MODULES)) {
  const module = MUTATION_MODULES[name]!;
  console.info(`\n# ${name}: ${module.mutate} against ${module.tests.join(', ')}`);
  const run = spawnSync('stryker', ['run', '--mutate', module.mutate], {
    stdio: 'inherit',
    env: { ...process.env, MUTATION_MODULE: name },
    shell: process.platform === 'win32',
  });
  if (run.status !== 0) {
    console.error(`Stryker failed on ${name} (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(`reports/mutation/${name}.json`, 'utf8')) as {
    files: Record<string, { mutants: { status: string }[] }>;
  };
  const statuses = Object.values(report.files).flatMap((file) => file.mutants.map((mutant) => mutant.status));
  const detected = statuses.filter((status) => DETECTED.has(status)).length;
  const undetected = statuses.filter((status) => UNDETECTED.has(status)).length;
  rows.push({ name, detected, undetected, score: (100 * detected) / Math.max(1, detected + undetected) });
}

console.info('\nMutation score per module (killed + timed out / valid mutants):');
for (const row of rows) {
  const mark = row.score >= THRESHOLD ? 'ok' : `below ${THRESHOLD}%`;
  console.info(`  ${row.name.padEnd(16)} ${row.score.toFixed(2).padStart(6)}%  (${row.detected}/${row.detected + row.undetected})  ${mark}`);
}
process.exit(rows.every((row) => row.score >= THRESHOLD) ? 0 : 1);
