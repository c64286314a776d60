// Mutation testing of the modules that decide what happens on failure. Run it with
// `pnpm test:mutation [module …]` (scripts/test-mutation.ts): one Stryker run per module, each
// against only that module's tests (scripts/mutation-modules.ts), then the score per module.
// Not part of `pnpm test`: minutes, not seconds.
//
// Surviving mutants judged harmless (equivalent, or in wording only), by module:
// - see the list at the end of scripts/mutation-modules.ts, kept beside the module table.
import { createRequire } from 'node:module';
import process from 'node:process';

// pnpm keeps each package's dependencies apart: name the runner plugin by its path, or Stryker's
// own lookup (`@stryker-mutator/*` beside itself) does not find it.
const require = createRequire(import.meta.url);
const only = process.env.MUTATION_MODULE;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  plugins: [require.resolve('@stryker-mutator/vitest-runner')],
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.ts', related: false },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // Overridden per module with --mutate by scripts/test-mutation.ts.
  mutate: [
    'packages/core/src/summarizers/provider-error.ts',
    'packages/core/src/processor/retry.ts',
    'packages/core/src/intake/parse-video-url.ts',
    'packages/core/src/intake/parse-url-list.ts',
    'packages/core/src/internal/fair-limiter.ts',
    'packages/core/src/export/safe-file-name.ts',
  ],
  reporters: ['clear-text', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  jsonReporter: { fileName: `reports/mutation/${only ?? 'all'}.json` },
  thresholds: { high: 90, low: 85, break: null },
  timeoutMS: 3000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
