import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findSharedFixtures, skipWhenMissing } from './shared-fixtures.js';

describe('findSharedFixtures', () => {
  let top: string | undefined;
  afterEach(() => {
    if (top) rmSync(top, { recursive: true, force: true });
    top = undefined;
  });

  it('finds shared/fixtures beside the checkout, or beside one of its parents', () => {
    top = mkdtempSync(join(tmpdir(), 'tubesum-fixtures-'));
    const repo = join(top, 'work', 'team', 'tubesum');
    mkdirSync(repo, { recursive: true });
    expect(findSharedFixtures(repo)).toBeUndefined();
    mkdirSync(join(top, 'work', 'shared', 'fixtures'), { recursive: true });
    expect(findSharedFixtures(repo)).toBe(join(top, 'work', 'shared', 'fixtures'));
    mkdirSync(join(top, 'work', 'team', 'shared', 'fixtures'), { recursive: true });
    expect(findSharedFixtures(repo)).toBe(join(top, 'work', 'team', 'shared', 'fixtures'));
  });
});

describe('skipWhenMissing', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('skips with a warning naming the missing folder, and fails when CI=true', () => {
    vi.stubEnv('CI', 'false');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(skipWhenMissing(undefined, 'the probe suite')).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/shared\/fixtures\/.*is missing: the probe suite are SKIPPED/));
    vi.stubEnv('CI', 'true');
    expect(() => skipWhenMissing(undefined, 'the probe suite')).toThrow(
      /^CI=true requires the recorded fixtures folder shared\/fixtures\/ .*which the probe suite reads/,
    );
  });

  it('runs the suites where the folder exists, CI or not', () => {
    vi.stubEnv('CI', 'true');
    expect(skipWhenMissing('/somewhere/shared/fixtures', 'the probe suite')).toBe(false);
    vi.stubEnv('CI', 'false');
    expect(skipWhenMissing('/somewhere/shared/fixtures', 'the probe suite')).toBe(false);
  });
});
