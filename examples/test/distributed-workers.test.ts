import { tempDir } from '@tubesum/test-support/temp-dir';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { skipUnlessReachable } from '../../packages/core/test/storage/services.js';
import { deleteKeys } from '../../packages/bullmq/test/support/keys.js';
import { main } from '../distributed-workers.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const skip = await skipUnlessReachable('Redis', url);

describe.skipIf(skip)('examples/distributed-workers.ts', () => {
  it('runs examples/urls.txt on two workers and writes the ZIP', async () => {
    const prefix = `tubesum-example-test-${randomUUID()}`;
    const out = join(tempDir('tubesum-example-'), 'distributed.zip');
    const lines: string[] = [];
    try {
      const job = await main({ url, prefix, out, log: (line) => void lines.push(line) });
      expect(job.status).toBe('done');
      expect(job.progress.counts).toMatchObject({ done: 5, failed: 0 });
      expect(lines[0]).toBe(`Batch ${job.id}: 5 videos sent to the workers`);
      expect(lines.filter((line) => / transcript on a worker$/.test(line))).toHaveLength(5);
      expect(lines.at(-1)).toMatch(new RegExp(`^5 summaries, ZIP of \\d+ bytes written to ${out.replace(/[.\\/]/g, '\\$&')}$`));
      const zip = await JSZip.loadAsync(await readFile(out));
      expect(Object.keys(zip.files).filter((name) => name.startsWith('summaries/') && name.endsWith('.md'))).toHaveLength(5);
    } finally {
      await deleteKeys(url, [prefix]);
    }
  });
});
