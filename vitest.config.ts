import { availableParallelism } from 'node:os';
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
    // Many tests start CLI or worker processes one after the other. On the 2-core CI machine the
    // slowest took up to 15 s; with 5 test files at once (TUBESUM_TEST_WORKERS=5) up to 28 s, and
    // at 7, two passed 30 s. A minute leaves room for a loaded machine; a hang still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker process runs file after file with the modules it already loaded, instead of a
    // fresh process (and a fresh import of the sources through vite) per file: `vitest run` took
    // 356 s of CPU instead of 539 (2 cores, loaded machine), every test passing. A test file
    // restores what it changes (vi.unstubAllEnvs, restoreAllMocks, process.env.TZ…) and closes
    // what it starts; one that cannot would need a project of its own with `isolate: true`.
    isolate: false,
    // One test file per core and one more. vitest's default is one fewer than the cores (one worker
    // on a 2-core CI machine), but most of this suite waits: on child processes, sockets, Redis,
    // PostgreSQL and timers. One worker kept 0.8 of a core busy and took 6 minutes; three took
    // 3.5 on a quiet 2-core machine, with the same tests passing. TUBESUM_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.TUBESUM_TEST_WORKERS) || availableParallelism() + 1,
    // Type tests of the public API (events map, error codes, options): `*.test-d.ts` files with
    // expectTypeOf, checked by tsc as part of `vitest run` (so of `pnpm test`). vitest hands tsc
    // only these files and what they import, so it takes seconds.
    typecheck: {
      enabled: true,
      include: ['packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
