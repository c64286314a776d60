// The vitest configuration Stryker runs: the main one, narrowed to the test files of the module
// being mutated (MUTATION_MODULE, set by scripts/test-mutation.ts), so that a run stays bounded.
import { defineConfig } from 'vitest/config';
import { MUTATION_MODULES } from './scripts/mutation-modules.js';
import base from './vitest.config.js';

const only = process.env['MUTATION_MODULE'];
const modules = only === undefined ? Object.values(MUTATION_MODULES) : [MUTATION_MODULES[only]!];

// Not mergeConfig: it would append these files to the main list instead of replacing it.
export default defineConfig({
  ...base,
  test: { ...base.test, include: modules.flatMap((module) => module.tests) },
});
