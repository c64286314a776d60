import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOCATION, runCli, tempHome } from './run-cli.js';

/** An OpenAI-compatible server whose key is dead (401) until `revive()`; counts the calls. */
function deadKeyServer() {
  let alive = false;
  let calls = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls += 1;
      response.setHeader('content-type', 'application/json');
      if (!alive) {
        response.statusCode = 401;
        response.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }));
        return;
      }
      response.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify({ tldr: 'A summary.', keyPoints: [] }) } }],
          usage: { prompt_tokens: 10, completion_tokens: 5 },
        }),
      );
    });
  });
  return {
    server,
    calls: () => calls,
    revive: () => {
      alive = true;
    },
  };
}

describe('tubesum run with a dead API key', () => {
  const { home, store } = tempHome();
  const fake = deadKeyServer();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

  it('pauses at the first refusal, exits 3 with the reason and the resume command, and resume finishes it', async () => {
    const flags = ['--transcripts', 'examples/transcripts', '--openai-url', url, '--openai-model', 'tiny'];
    const run = await runCli(['run', 'examples/urls.txt', ...flags], { home, store });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/Paused: .*AUTHENTICATION_FAILED/);
    const jobId = new RegExp(`resume with: ${INVOCATION.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} resume (\\S+)`).exec(run.stdout)?.[1];
    expect(jobId, run.stdout).toBeDefined();
    // One call per summary slot at most, not one per video.
    expect(fake.calls()).toBeLessThanOrEqual(4);
    const status = await runCli(['list'], { home, store });
    expect(status.stdout).toMatch(/paused/);

    fake.revive();
    const resumed = await runCli(['resume', jobId as string, ...flags], { home, store });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout, resumed.stdout).toMatch(/Done: 5 done/);
  });
});
