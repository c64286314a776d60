import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { INVOCATION, runCli, tempHome } from './run-cli.js';

/** A port on 127.0.0.1 where nothing listens: connecting is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tubesum run when YouTube cannot be reached', () => {
  it('says so once, pauses at once instead of retrying every video, exits 3 with the resume command', async () => {
    const { home, store } = tempHome();
    // Every YouTube request goes through a proxy that refuses connections: as if there were no route.
    const proxy = `http://127.0.0.1:${await closedPort()}`;
    const urls = Array.from({ length: 30 }, (_, index) => `https://youtu.be/u${String(index).padStart(10, '0')}`).join('\n');
    const result = await runCli(['run', '-', '--proxy', proxy, '--json'], { home, store, input: urls });
    expect(result.code, result.stderr).toBe(3);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; status?: string; reason?: { message: string }; resume?: string });
    const outcome = lines.at(-1);
    expect(outcome).toMatchObject({ type: 'result', status: 'paused' });
    expect(outcome?.reason?.message).toMatch(/^YouTube cannot be reached from this machine/);
    expect(outcome?.resume).toMatch(new RegExp(`^${INVOCATION.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} resume `));
    // No video is failed one by one, and no retries are announced for an unreachable YouTube.
    expect(lines.filter((line) => line.type === 'itemEnd')).toHaveLength(0);
    expect(lines.filter((line) => line.type === 'itemRetry')).toHaveLength(0);
    // The same network error is said once per line, not twice (player API and watch page folded).
    const said = outcome?.reason?.message ?? '';
    expect(said.match(/ECONNREFUSED/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});
