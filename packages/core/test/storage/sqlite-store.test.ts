import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing/conformance';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const path = join(directory, 'nested', 'store.sqlite');

describeBatchStore('SQLite on disk', () => createSqliteStore({ path }), {
  multiProcess: { module: new URL('./store-child.ts', import.meta.url), argument: { url: `sqlite://${path}` } },
});
