import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { importOptional } from '../../src/storage/import-optional.js';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-open-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('Expected a rejection');
}

async function roundTrip(store: BatchStore): Promise<unknown> {
  try {
    await store.setCached('key', { value: 'ü' });
    return await store.getCached('key');
  } finally {
    await store.close?.();
  }
}

describe('openStore', () => {
  it('opens a memory store', async () => {
    expect(await roundTrip(await openStore('memory://'))).toEqual({ value: 'ü' });
  });

  it('opens SQLite from sqlite:// with a relative or absolute path, a file:// URL or a plain path', async () => {
    const files = ['relative.sqlite', 'absolute.sqlite', 'file-url.sqlite', 'plain.sqlite'].map((name) => join(directory, 'sub', name));
    const urls = [`sqlite://${relative(process.cwd(), files[0]!)}`, `sqlite://${files[1]!}`, pathToFileURL(files[2]!).href, files[3]!];
    for (const [position, url] of urls.entries()) {
      expect(await roundTrip(await openStore(url))).toEqual({ value: 'ü' });
      expect(existsSync(files[position]!)).toBe(true);
    }
  });

  it('keeps SQLite in WAL mode', async () => {
    const path = join(directory, 'wal.sqlite');
    const store = await openStore(path);
    await store.setCached('key', 1);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close?.();
  });

  it('rejects an unknown scheme with INVALID_OPTIONS naming the value but not its password', async () => {
    const opening = openStore('mysql://admin:hunter2@db.example.com/tubesum');
    await expect(opening).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    const error = await rejection(opening);
    expect(error.message).toContain('mysql://admin:***@db.example.com/tubesum');
    expect(error.message).toContain('redis://');
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects what is not a store URL with INVALID_OPTIONS', async () => {
    await expect(openStore('')).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('`openStore url`') });
    await expect(openStore(42 as unknown as string)).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('got `42`') });
    await expect(openStore('memory://somewhere')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(openStore('sqlite://')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(openStore('memory://', { namespace: 'has space' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('`namespace`'),
    });
    await expect(openStore('postgres://localhost/db', { table: 'x; DROP TABLE y' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('`table`'),
    });
  });

  it('fails fast with STORAGE_ERROR naming host:port, not the password, when Redis is not there', { timeout: 10_000 }, async () => {
    const opening = openStore('redis://default:hunter2@127.0.0.1:1');
    await expect(opening).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    const error = await rejection(opening);
    expect(error.message).toMatch(/^Could not connect to Redis at 127\.0\.0\.1:1: /);
    expect(error.message).not.toContain('hunter2');
  });

  it('fails fast with STORAGE_ERROR naming host:port, not the password, when PostgreSQL is not there', { timeout: 10_000 }, async () => {
    const opening = openStore('postgres://postgres:hunter2@127.0.0.1:1/test');
    await expect(opening).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    const error = await rejection(opening);
    expect(error.message).toMatch(/^Could not connect to PostgreSQL at 127\.0\.0\.1:1\/test: /);
    expect(error.message).not.toContain('hunter2');
  });
});

describe('importOptional', () => {
  it('tells how to install a missing optional package', async () => {
    const missing = '@keyv/not-installed-anywhere';
    const loading = importOptional(() => import(/* @vite-ignore */ missing), missing, 'a Redis store');
    await expect(loading).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: `To use a Redis store, install ${missing}: npm i ${missing}`,
    });
  });

  it('lets other load failures through', async () => {
    const failure = new SyntaxError('Unexpected token');
    await expect(importOptional(() => Promise.reject(failure), '@keyv/redis', 'a Redis store')).rejects.toBe(failure);
  });
});
