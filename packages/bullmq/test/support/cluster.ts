import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchProcessor, openStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { bundleScript } from '@tubesum/test-support';
import { afterAll, afterEach } from 'vitest';
import { startProcess, stopAllReplicas } from '../../../core/test/replicas/replicas.js';
import type { Replica } from '../../../core/test/replicas/replicas.js';
import { createQueueExecutor } from '../../src/index.js';
import type { QueueExecutor } from '../../src/index.js';
import { deleteKeys } from './keys.js';
import type { WorkerCommand } from './worker-process.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
/** worker-process.ts and the sources it imports, bundled into one script (see bundleScript). */
const script = await bundleScript(new URL('./worker-process.ts', import.meta.url));

/** Key prefixes of its own for one test file, every key under them deleted after the file. */
export function isolatedRedis(label: string): { prefix: string; namespace: string; callLog: string; fresh: () => { prefix: string; namespace: string } } {
  const run = `${label}-${process.pid}-${Date.now().toString(36)}`;
  const directory = mkdtempSync(join(tmpdir(), 'tubesum-bullmq-'));
  let count = 0;
  const prefixes: string[] = [];
  const fresh = () => {
    count += 1;
    const names = { prefix: `tsbq-${run}-${count}`, namespace: `tsbq-store-${run}-${count}` };
    prefixes.push(names.prefix, names.namespace);
    return names;
  };
  afterEach(() => stopAllReplicas());
  afterAll(async () => {
    stopAllReplicas();
    rmSync(directory, { recursive: true, force: true });
    await deleteKeys(REDIS_URL, prefixes);
  });
  return { ...fresh(), callLog: join(directory, 'calls.log'), fresh };
}

/** A submitting processor on the Redis store and a queue executor, closed by the returned `close`. */
export async function startSubmitter(
  names: { prefix: string; namespace: string },
  options: { connection?: string; store?: string; globalConcurrency?: number; pollIntervalMs?: number } = {},
): Promise<{ store: BatchStore; executor: QueueExecutor; processor: BatchProcessor; close: () => Promise<void> }> {
  const store = await openStore(options.store ?? REDIS_URL, { namespace: names.namespace });
  const executor = createQueueExecutor({
    connection: options.connection ?? REDIS_URL,
    prefix: names.prefix,
    pollIntervalMs: 200,
    ...(options.globalConcurrency === undefined ? {} : { summaries: { globalConcurrency: options.globalConcurrency } }),
  });
  const processor = new BatchProcessor({ store, executor, stateWriteIntervalMs: 50, pollIntervalMs: options.pollIntervalMs ?? 100 });
  await executor.ready();
  const close = async () => {
    await processor.close();
    await executor.close();
    await store.close?.();
  };
  return { store, executor, processor, close };
}

/** Starts `count` worker processes and waits until each is taking jobs. */
export async function startWorkers(count: number, command: WorkerCommand): Promise<Replica[]> {
  const workers = Array.from({ length: count }, () => startProcess(script, command));
  await Promise.all(workers.map((worker) => worker.next((line) => line.type === 'ready', 90_000)));
  return workers;
}

export { WORKER_RETRY, videoUrls } from './worker-fixtures.js';
export { readCallLog } from '@tubesum/test-support';
