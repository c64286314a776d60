import { describe, expect, it } from 'vitest';
import { checkFormatVersions, findFormats, parseChangeset, recordedVersions } from '../format-versions.js';

const core = (path: string, text: string) => ({ path, packageName: '@tubesum/core', text });

const sources = [
  core('src/export/export-format.ts', 'export const EXPORT_FORMAT_VERSION = 2;\n'),
  core('src/job.ts', 'export interface JobRecord {\n  /** doc */\n  version: 1;\n  id: string;\n}\nexport interface Other {\n  id: string;\n}\n'),
  core('src/cache-keys.ts', 'return `transcript:v3:${videoId}`;\nreturn `summary:v1:${id}:${digest}`;\n'),
];

const changeset = (text: string) => parseChangeset('.changeset/x.md', text);

describe('findFormats', () => {
  it('reads the export version, record version fields and versioned cache keys', () => {
    expect(recordedVersions(findFormats(sources))).toEqual({
      EXPORT_FORMAT_VERSION: 2,
      'JobRecord.version': 1,
      'cache:summary': 1,
      'cache:transcript': 3,
    });
  });

  it('throws when one format has two versions', () => {
    expect(() => findFormats([...sources, core('src/other.ts', 'key = `summary:v2:${id}`;')])).toThrow(
      'format cache:summary has version 1 in src/cache-keys.ts and 2 in src/other.ts',
    );
  });
});

describe('parseChangeset', () => {
  it('reads the bumps of the front matter and the Format lines of the body', () => {
    expect(changeset(`---\n'@tubesum/core': minor\n"tubesum": patch\n---\n\nText.\n\nFormat: EXPORT_FORMAT_VERSION 2\n`)).toEqual({
      file: '.changeset/x.md',
      bumps: { '@tubesum/core': 'minor', tubesum: 'patch' },
      formats: { EXPORT_FORMAT_VERSION: 2 },
    });
  });
});

describe('checkFormatVersions', () => {
  const found = findFormats(sources);
  const recorded = { ...recordedVersions(found), EXPORT_FORMAT_VERSION: 1 };

  it('passes when every version is the recorded one', () => {
    expect(checkFormatVersions(recordedVersions(found), found, [])).toEqual([]);
  });

  it('fails on a changed version without a changeset, naming the line to add', () => {
    const problems = checkFormatVersions(recorded, found, []);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('format EXPORT_FORMAT_VERSION is at version 2 in src/export/export-format.ts (version 1 at the last release)');
    expect(problems[0]).toContain('"Format: EXPORT_FORMAT_VERSION 2"');
  });

  it('passes with a changeset that declares the new version and bumps the package by minor or major', () => {
    const declared = changeset(`---\n'@tubesum/core': minor\n---\n\nFormat: EXPORT_FORMAT_VERSION 2\n`);
    expect(checkFormatVersions(recorded, found, [declared])).toEqual([]);
  });

  it('fails when the changeset bumps the package by patch only', () => {
    const patch = changeset(`---\n'@tubesum/core': patch\n---\n\nFormat: EXPORT_FORMAT_VERSION 2\n`);
    expect(checkFormatVersions(recorded, found, [patch])).toEqual([
      '.changeset/x.md declares format EXPORT_FORMAT_VERSION 2 but bumps @tubesum/core by patch: a format change needs a minor or major bump of the package that holds it',
    ]);
  });

  it('fails when a changeset declares a version the sources do not have', () => {
    const stale = changeset(`---\n'@tubesum/core': major\n---\n\nFormat: EXPORT_FORMAT_VERSION 3\n`);
    expect(checkFormatVersions(recorded, found, [stale])).toContain('.changeset/x.md declares format EXPORT_FORMAT_VERSION 3, but the sources have version 2');
  });

  it('fails when a recorded format is no longer found', () => {
    const problems = checkFormatVersions({ ...recordedVersions(found), 'ItemRecord.version': 1 }, found, []);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('format ItemRecord.version (recorded at version 1) is no longer found in the sources');
  });

  it('asks for a changeset for a new format too', () => {
    const { 'cache:summary': _, ...withoutSummary } = recordedVersions(found);
    expect(checkFormatVersions(withoutSummary, found, [])[0]).toContain(
      'format cache:summary is at version 1 in src/cache-keys.ts (not recorded at the last release)',
    );
  });
});
