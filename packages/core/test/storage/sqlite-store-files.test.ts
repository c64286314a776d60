import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@tubesum/core';
import type { ItemRecord, JobRecord } from '@tubesum/core';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-sqlite-files-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('createSqliteStore on disk', () => {
  it('keeps everything after the store is closed and opened again', async () => {
    const path = join(directory, 'reopen.sqlite');
    const job: JobRecord = { version: 1, id: 'job-1', userId: 'u', createdAt: '2025-01-01T00:00:00.000Z', options: {}, total: 1, rejected: [], duplicates: [] };
    const item: ItemRecord = {
      jobId: 'job-1',
      index: 0,
      videoId: 'dQw4w9WgXcQ',
      url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      input: 'dQw4w9WgXcQ',
      status: 'pending',
      attempts: 0,
    };
    const first = createSqliteStore({ path });
    await first.createJob(job, { status: 'running', counts: { pending: 1, running: 0, done: 0, failed: 0, cancelled: 0 } }, [item]);
    await first.saveItem({ ...item, status: 'done', attempts: 1 });
    await first.close?.();

    const second = createSqliteStore({ path });
    expect(await second.getJob('job-1')).toEqual(job);
    expect(await second.getItems('job-1')).toEqual([{ ...item, status: 'done', attempts: 1 }]);
    expect(await second.listUnfinishedJobIds()).toEqual(['job-1']);
    await second.close?.();
  });

  it('reports a file that cannot be opened as STORAGE_ERROR naming the path, and still closes', async () => {
    const store = createSqliteStore({ path: directory });
    await expect(store.getJob('job-1')).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
      message: expect.stringContaining(`Could not read job "job-1" in the SQLite store at ${directory}: SQLITE_CANTOPEN`),
    });
    await expect(store.close?.()).resolves.toBeUndefined();
  });

  it('reports a parent directory that cannot be created as STORAGE_ERROR', () => {
    const file = join(directory, 'a-file');
    writeFileSync(file, '');
    expect(() => createSqliteStore({ path: join(file, 'store.sqlite') })).toThrow(expect.objectContaining({ code: 'STORAGE_ERROR' }));
  });

  it('validates its options', () => {
    expect(() => createSqliteStore({} as { path: string })).toThrow(/Expected `path` to be a file path, got `undefined`/);
    expect(() => createSqliteStore({ path: 'x.sqlite', busyTimeoutMs: -1 })).toThrow(/`busyTimeoutMs`/);
  });
});
