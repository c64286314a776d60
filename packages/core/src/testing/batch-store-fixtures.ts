import { randomUUID } from 'node:crypto';
import type { ItemRecord, JobRecord, JobState, JobStatus } from '../records.js';

/** A fresh id, so tests never see each other's jobs even on a shared, persistent backend. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export function stateOf(status: JobStatus, total: number): JobState {
  return { status, counts: { pending: total, running: 0, done: 0, failed: 0, cancelled: 0 } };
}

export function makeJob(options: { userId?: string; total?: number; id?: string; name?: string } = {}): { job: JobRecord; items: ItemRecord[] } {
  const id = options.id ?? uniqueId('job');
  const total = options.total ?? 3;
  const job: JobRecord = {
    version: 1,
    id,
    userId: options.userId ?? uniqueId('user'),
    createdAt: new Date().toISOString(),
    options: { length: 'standard' },
    total,
    rejected: [{ input: 'https://example.com/x', reason: 'Not a YouTube link.' }],
    duplicates: [],
    ...(options.name === undefined ? {} : { name: options.name }),
  };
  const items = Array.from({ length: total }, (_, index): ItemRecord => {
    const videoId = `v${String(index).padStart(10, '0')}`;
    return {
      jobId: id,
      index,
      videoId,
      url: `https://www.youtube.com/watch?v=${videoId}`,
      input: `https://youtu.be/${videoId}`,
      status: 'pending',
      attempts: 0,
    };
  });
  return { job, items };
}

/** Resolves once `condition` holds, checking every 10 ms; rejects after `timeoutMs` (a bound, not a speed target). */
export async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
