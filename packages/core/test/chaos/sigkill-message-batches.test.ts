// Chaos: the process waiting on an Anthropic Message Batch is killed with SIGKILL between the
// batch's creation and the save of its id, and while its results stream in. The resume polls the
// same provider batch: the fake counts every request it received, and none is sent twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '@tubesum/core';
import { runWorker, type Line } from '../processor/run-worker.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../../test-support/src/fake-anthropic-server.js';

const worker = new URL('./message-batch-worker.ts', import.meta.url);
const directory = mkdtempSync(join(tmpdir(), 'tubesum-batch-kill-'));
let server: FakeAnthropicServer;
beforeAll(async () => {
  server = await startFakeAnthropicServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

const endedJob = (lines: Line[]) => lines.find((line) => line.type === 'ended')?.job as JobSnapshot | undefined;

describe('chaos: SIGKILL around an Anthropic Message Batch', () => {
  it('killed after create and before the save, the resume finds the same batch by its marker', async () => {
    const database = join(directory, 'after-create.sqlite');
    const count = 5;
    // The batch exists at the provider from the moment it is received; its id comes back 5 s later.
    server.batches.delayCreateAnswer(5000);
    const first = await runWorker(['start', database, server.url, String(count)], undefined, { worker, killWhen: server.batches.waitForBatches(1) });
    expect(first.signal).toBe('SIGKILL');
    expect(first.lines.some((line) => line.type === 'waiting')).toBe(false);
    server.batches.delayCreateAnswer(0);

    const second = await runWorker(['resume', database, server.url], undefined, { worker });
    const job = endedJob(second.lines);
    expect(job).toMatchObject({ status: 'done', counts: { done: count } });
    expect(server.batches.batches).toHaveLength(1);
    expect(server.batches.requestCount()).toBe(count);
    expect(server.batches.calls.filter((call) => call === 'POST /v1/messages/batches')).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
    expect(job!.costUsd).toBeGreaterThan(0);
  }, 60_000);

  it('killed while the results stream in, the resume reads the same batch again and pays nothing twice', async () => {
    const database = join(directory, 'while-streaming.sqlite');
    const count = 6;
    server.batches.stallResultsAfter(2);
    const ends = (lines: Line[]) => lines.filter((line) => line.type === 'itemEnd').length;
    const first = await runWorker(['start', database, server.url, String(count)], (lines) => ends(lines) >= 2, { worker });
    expect(first.signal).toBe('SIGKILL');
    expect(server.batches.resultLinesSent()).toBe(2);
    server.batches.stallResultsAfter(undefined);

    const second = await runWorker(['resume', database, server.url], undefined, { worker });
    expect(endedJob(second.lines)).toMatchObject({ status: 'done', counts: { done: count } });
    expect(server.batches.batches).toHaveLength(1);
    expect(server.batches.requestCount()).toBe(count);
  }, 60_000);

  it('killed while the batch runs, the resume polls it and submits nothing', async () => {
    const database = join(directory, 'while-running.sqlite');
    const count = 4;
    server.batches.hold();
    const first = await runWorker(['start', database, server.url, String(count)], (lines) => lines.some((line) => line.type === 'waiting'), { worker });
    expect(first.signal).toBe('SIGKILL');
    server.batches.release();
    const second = await runWorker(['resume', database, server.url], undefined, { worker });
    expect(endedJob(second.lines)).toMatchObject({ status: 'done', counts: { done: count } });
    expect(server.batches.requestCount()).toBe(count);
  }, 60_000);
});
