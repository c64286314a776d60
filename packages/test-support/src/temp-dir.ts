// Temporary folders of tests, removed when they are done with: a test run leaves nothing in the
// OS's temporary folder. Needs vitest (the package's main entry does not: benchmarks use it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished, vi } from 'vitest';

/**
 * A fresh folder under the OS's temporary folder, named `<prefix>XXXXXX`. Made in a test, it is
 * removed with everything in it once that test ends; made while tests are collected (in a
 * `describe` body), once that suite's tests end.
 */
export function tempDir(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    // Not in a test (vitest refuses the hook there): in a suite being collected.
    afterAll(remove);
  }
  return folder;
}

/**
 * A fresh folder (see {@link tempDir}) that stands for the OS's temporary folder (`TMPDIR`, which
 * `os.tmpdir()` reads) until the test ends: what code under test puts there can be listed. Call
 * it in a test.
 */
export function tempDirAsTmpdir(prefix: string): string {
  const folder = tempDir(prefix);
  vi.stubEnv('TMPDIR', folder);
  onTestFinished(() => {
    vi.unstubAllEnvs();
  });
  return folder;
}
