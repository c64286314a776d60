// Mutation testing of the modules that decide what happens on failure. Run it with
// `pnpm test:mutation [module …]` (scripts/test-mutation.ts): one Stryker run per module, each
// against only that module's tests (scripts/mutation-modules.ts), then the score per module.
// Not part of `pnpm test`: minutes, not seconds.
//
// Surviving mutants judged harmless (they give the same result by another path), by module:
//
// provider-error
// - `${failure.code ?? ''}` -> `?? 'Stryker was here!'`: only pads the text the patterns search.
// - `.trim()` dropped on `retry-after-ms` / `retry-after`: `Headers` already trims values.
// - `if (!retryAfter) return undefined` -> removed: an empty or absent value matches neither the
//   number pattern nor a date, so the result is undefined all the same.
// - `kind === 'other' || status === undefined` reduced to either side: an `other` failure has no
//   status, and an `http` one without a status falls through to the same non-retryable error.
// retry
// - `if (signal.aborted) throw signal.reason` once p-retry gave up -> removed: p-retry itself
//   rejects with the signal's reason once it aborted.
// parse-video-url
// - `start < end` / `end > start` in stripPunctuation -> `true` or `<=`: past the end the character
//   is undefined, which no punctuation set holds.
// - the `http://`, `https://` and `//` shortcuts -> removed or weakened: the scheme branch and
//   the URL parser reach the same URL.
// - `^` dropped from `/^\/\//` after `vnd.youtube:`: an id never contains `//`.
// - `target !== null` -> `true` in consentPage: `URL.canParse(null)` is false anyway.
// parse-url-list
// - `index !== -1 && Array.isArray(text)` -> `||`, `true`, or index `+1` for a non-array: the same
//   message either way (an index is only ever found in an array).
// - the label `'parseUrlList() options'` -> `""`: validateOptions names the field from the schema
//   path (`lists`), and the tests match on that, not on the call's label.
// fair-limiter
// - `&& this.#waiting === 0` -> `&& true`: a slot is never free while work waits (a release
//   hands it over synchronously).
// - `if (!waiter) continue` -> removed: an empty group never stays in the rotation.
// safe-file-name
// - the early `return text` when it fits, the `RESERVED` check before the cutting loop,
//   `round < 3` -> `<= 3` / `round -= 1`, the `MAX_INPUT_UNITS` test -> `>=` / `true`,
//   `typeof name === 'string'` for strings, `fallback ?? ''`: the same result by another path.
// - `+` dropped from DROPPED and INVISIBLE: with /g and an empty replacement, runs go one
//   character at a time just the same.
// - `Intl.Segmenter('en', { granularity: 'grapheme' })` -> `''` / `{}`: grapheme is the default
//   and grapheme segmentation does not depend on the locale.
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
