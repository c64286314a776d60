import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchProcessor, createSqliteStore } from '@tubesum/core';
import type { Summarizer } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { bundleScript } from '@tubesum/test-support';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-wait-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('waitFor() in a script that does nothing else', () => {
  it('holds the process open until the job another process runs ends', async () => {
    const path = join(directory, 'store.sqlite');
    const store = createSqliteStore({ path });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fake = new FakeSummarizer({ latencyMs: 0 });
    const summarizer: Summarizer = {
      model: fake.model,
      promptVersion: fake.promptVersion,
      summarize: async (...args: Parameters<FakeSummarizer['summarize']>) => {
        await gate;
        return fake.summarize(...args);
      },
    };
    const owner = new BatchProcessor({ transcripts: new FakeTranscriptSource(), summarizer, store, stateWriteIntervalMs: 20 });
    try {
      const job = await owner.submit({ userId: 'waiter', urls: 'https://youtu.be/w0000000001' });
      const child = spawn(process.execPath, [await bundleScript(new URL('./wait-for-child.ts', import.meta.url)), path, job.id], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // Long enough for a process held open by nothing to end (it did at once, with code 13).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(child.exitCode).toBeNull();
      release();
      expect(await exited).toBe(0);
      expect(output).toBe('waiting\ndone\n');
    } finally {
      release();
      await owner.close();
      await store.close?.();
    }
  }, 30_000);
});
