import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of @tubesum/core, not a stale dist/.
    alias: [
      { find: /^@tubesum\/core\/testing\/conformance$/, replacement: source('./packages/core/src/testing/conformance.ts') },
      { find: /^@tubesum\/core\/executor$/, replacement: source('./packages/core/src/executor.ts') },
      { find: /^@tubesum\/bullmq$/, replacement: source('./packages/bullmq/src/index.ts') },
      { find: /^@tubesum\/core\/testing$/, replacement: source('./packages/core/src/testing/index.ts') },
      { find: /^@tubesum\/core$/, replacement: source('./packages/core/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
