import { openStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing/conformance';
import { POSTGRES_URL, skipUnlessReachable, temporaryPostgresTable } from './services.js';

const url = POSTGRES_URL;
const skip = await skipUnlessReachable('PostgreSQL', url);
const table = temporaryPostgresTable('tubesum_test', skip);

describeBatchStore('PostgreSQL', () => openStore(url, { table }), {
  skip,
  multiProcess: { module: new URL('./store-child.ts', import.meta.url), argument: { url, options: { table } } },
});
