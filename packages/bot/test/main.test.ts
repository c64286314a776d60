import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { bundleScript } from '@tubesum/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** src/main.ts and the sources it imports, bundled into one script (see bundleScript). */
const script = await bundleScript(new URL('../src/main.ts', import.meta.url));

describe('main (the bot started from the environment)', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('logs in through DISCORD_API_URL, never prints the token, and stops on SIGTERM', async () => {
    const token = 'main-secret-token-value';
    const child = spawn(process.execPath, [script], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DISCORD_TOKEN: token,
        DISCORD_APPLICATION_ID: FAKE_IDS.application,
        DISCORD_API_URL: fake.apiUrl,
        TUBESUM_SUMMARIZER: 'offline',
        TUBESUM_STORE: 'memory://',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await fake.waitFor(() => output.includes('logged in as') || undefined, 20_000, 'the login');
      expect(fake.identifies.some((d) => (d as { token: string }).token === token)).toBe(true);
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(output).toContain('SIGTERM received');
      expect(output).toContain('stopped');
      expect(output).not.toContain(token);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to start with a message naming the missing variable', async () => {
    const child = spawn(process.execPath, [script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DISCORD_APPLICATION_ID: FAKE_IDS.application },
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output).toMatch(/`DISCORD_TOKEN`.*got nothing/);
  });
});
