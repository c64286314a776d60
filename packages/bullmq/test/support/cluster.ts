import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach } from 'vitest';
import { startProcess, stopAllReplicas } from '../../../core/test/replicas/replicas.js';
import type { Replica } from '../../../core/test/replicas/replicas.js';
import type { WorkerCommand } from './worker-process.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
const script = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

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
    const redis = new Redis(REDIS_URL);
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
    redis.disconnect();
  });
  return { ...fresh(), callLog: join(directory, 'calls.log'), fresh };
}

/** Starts `count` worker processes and waits until each is taking jobs. */
export async function startWorkers(count: number, command: WorkerCommand): Promise<Replica[]> {
  const workers = Array.from({ length: count }, () => startProcess(script, command));
  await Promise.all(workers.map((worker) => worker.next((line) => line.type === 'ready', 30_000)));
  return workers;
}

/** Lines of the shared summarizer log. */
export function readCallLog(callLog: string): { pid: string; videoId: string; what: string; at: number }[] {
  let text = '';
  try {
    text = readFileSync(callLog, 'utf8');
  } catch {
    return [];
  }
  return text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [pid = '', videoId = '', what = '', at = '0'] = line.split(' ');
      return { pid, videoId, what, at: Number(at) };
    });
}

/** `count` distinct 11-character video URLs. */
export function videoUrls(count: number, tag = 'v'): string[] {
  return Array.from({ length: count }, (_, index) => `https://youtu.be/${tag}${String(index).padStart(11 - tag.length, '0')}`);
}
