import { tempDir } from '@tubesum/test-support/temp-dir';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../packages/test-support/src/fake-anthropic-server.js';
import { main } from '../message-batches.js';

describe('examples/message-batches.ts', () => {
  let server: FakeAnthropicServer;
  beforeAll(async () => {
    server = await startFakeAnthropicServer();
  });
  afterAll(() => server.close());

  it('summarizes through one Message Batch, says what it waits for, and reports the cost', async () => {
    const folder = tempDir('tubesum-example-batches-');
    const out = join(folder, 'batches.zip');
    const lines: string[] = [];
    server.batches.hold();
    const running = main({
      baseURL: server.url,
      apiKey: 'sk-ant-test',
      database: join(folder, 'store.sqlite'),
      out,
      windowMs: 100,
      pollIntervalMs: 20,
      log: (line) => void lines.push(line),
    });
    await server.batches.waitForBatches(1);
    server.batches.release();
    const job = await running;
    expect(job.status).toBe('done');
    expect(server.batches.requestCount()).toBe(3);
    expect(lines).toContain("collecting requests for Anthropic's batch");
    expect(lines.some((line) => /^waiting for Anthropic's batch \(submitted less than a minute ago, usually under 1 h\)$/.test(line))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^Cost of the batch: \$0\.\d{4} \(half the request\/response price\)$/));
    expect(lines.at(-1)).toBe(`ZIP written to ${out}`);
    const zip = await JSZip.loadAsync(await readFile(out));
    expect(await zip.file('index.md')!.async('string')).toContain('- **Cost:**');
  });
});
