/**
 * The modules that decide what happens on failure, each with the test files that pin it down:
 * `pnpm test:mutation` mutates one module at a time and runs only its own tests against it.
 */
export const MUTATION_MODULES: Readonly<Record<string, { mutate: string; tests: readonly string[] }>> = {
  'provider-error': {
    mutate: 'packages/core/src/summarizers/language-model/provider-error.ts',
    tests: ['packages/core/test/summarizers/language-model/provider-error.test.ts'],
  },
  retry: {
    mutate: 'packages/core/src/processor/retry.ts',
    tests: ['packages/core/test/processor/retry.test.ts'],
  },
  'parse-video-url': {
    mutate: 'packages/core/src/intake/parse-video-url.ts',
    tests: ['packages/core/test/intake/parse-video-url.test.ts'],
  },
  'parse-url-list': {
    mutate: 'packages/core/src/intake/parse-url-list.ts',
    tests: ['packages/core/test/intake/parse-url-list.test.ts'],
  },
  'fair-limiter': {
    mutate: 'packages/core/src/internal/fair-limiter.ts',
    tests: ['packages/core/test/internal/fair-limiter.test.ts'],
  },
  'safe-file-name': {
    mutate: 'packages/core/src/export/safe-file-name.ts',
    tests: ['packages/core/test/export/safe-file-name.test.ts'],
  },
};
