import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.js';

export default defineConfig({
  ...baseConfig,
  // The multi-process store runner is started by path (child_process.fork), so it is an entry of its own.
  entry: {
    index: 'src/index.ts',
    executor: 'src/executor.ts',
    'testing/index': 'src/testing/index.ts',
    'testing/conformance': 'src/testing/conformance.ts',
    'testing/batch-store-process': 'src/testing/batch-store-process.ts',
  },
  external: ['vitest'],
});
