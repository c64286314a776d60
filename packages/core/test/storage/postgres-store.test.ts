import { KeyvPostgres } from '@keyv/postgres';
import { afterAll } from 'vitest';
import { openStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing';
import { skipUnlessReachable } from './services.js';

const url = 'postgres://postgres@127.0.0.1:5432/test';
const table = `tubesum_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
const skip = await skipUnlessReachable('PostgreSQL', url);

afterAll(async () => {
  if (skip) return;
  const adapter = new KeyvPostgres({ uri: url, table });
  await adapter.query(`DROP TABLE IF EXISTS ${table}`);
  await adapter.disconnect();
});

describeBatchStore('PostgreSQL', () => openStore(url, { table }), { skip });
