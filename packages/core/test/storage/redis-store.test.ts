import { randomUUID } from 'node:crypto';
import { createKeyv } from '@keyv/redis';
import { afterAll } from 'vitest';
import { openStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing/conformance';
import { skipUnlessReachable } from './services.js';

const url = 'redis://127.0.0.1:6379';
const namespace = `tubesum-test-${randomUUID()}`;
const skip = await skipUnlessReachable('Redis', url);

afterAll(async () => {
  if (skip) return;
  const keyv = createKeyv({ url, socket: { reconnectStrategy: false } }, { namespace });
  await keyv.clear();
  await keyv.disconnect();
});

describeBatchStore('Redis', () => openStore(url, { namespace }), {
  skip,
  multiProcess: { module: new URL('./store-child.ts', import.meta.url), argument: { url, options: { namespace } } },
});
