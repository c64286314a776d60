import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeBatchStore('SQLite on disk', () => createSqliteStore({ path: join(directory, 'nested', 'store.sqlite') }));
