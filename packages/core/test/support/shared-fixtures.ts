import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Recorded third-party data (real YouTube answers captured by other projects) is never
 * committed to this repository: it lives in a `shared/fixtures/` folder beside the checkout
 * (`../shared/fixtures/` from the repo root). This is the one place tests find and read it.
 *
 * Where the folder is absent (a user's clone), suites that need it are skipped with a visible
 * notice; with `CI=true` it is required and its absence fails the run, the same rule as the
 * Redis and PostgreSQL suites (test/storage/services.ts).
 */

/** The repository root (this file is packages/core/test/support/shared-fixtures.ts). */
const REPO_ROOT = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

/** `shared/fixtures` beside `start` or beside one of its ancestors, or undefined. */
export function findSharedFixtures(start: string = REPO_ROOT): string | undefined {
  for (let folder = start; ; folder = dirname(folder)) {
    const candidate = join(dirname(folder), 'shared', 'fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
}

/** The folder of recorded data, or undefined when this machine has none. */
export const SHARED_FIXTURES: string | undefined = findSharedFixtures();

const MISSING = `the recorded fixtures folder shared/fixtures/ (looked beside ${REPO_ROOT} and its parent folders)`;

/**
 * Whether a suite reading recorded data must be skipped: `describe.skipIf(skipWithoutSharedFixtures('…'))`.
 * Prints a warning naming the missing folder when it skips; throws when `CI=true` and the folder is missing.
 */
export function skipWithoutSharedFixtures(suite: string): boolean {
  return skipWhenMissing(SHARED_FIXTURES, suite);
}

/** {@link skipWithoutSharedFixtures} for a given search result (exported for its own test). */
export function skipWhenMissing(folder: string | undefined, suite: string): boolean {
  if (folder !== undefined) return false;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true requires ${MISSING}, which ${suite} reads; it was not found.`);
  }
  console.warn(`\n⚠ ${MISSING} is missing: ${suite} are SKIPPED on this machine (they are required, and fail, when CI=true).\n`);
  return true;
}

/** The text of a recorded file, by its path inside `shared/fixtures/` (e.g. `youtube/youtube.html`). */
export function sharedFixture(path: string): string {
  if (SHARED_FIXTURES === undefined) throw new Error(`Cannot read ${path}: missing ${MISSING}.`);
  return readFileSync(join(SHARED_FIXTURES, path), 'utf8');
}
