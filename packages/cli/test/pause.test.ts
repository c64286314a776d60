import { startFakeOpenAIServer } from '@tubesum/test-support';
import type { FakeLlmServer } from '@tubesum/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOCATION, runCli, tempHome } from './run-cli.js';

describe('tubesum run with a dead API key', () => {
  const { home, store } = tempHome();
  /** Core's fake OpenAI-compatible server, refusing the key (401) until it gets a valid summary as default again. */
  let fake: FakeLlmServer;
  let url = '';
  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    fake.setDefault(() => ({ status: 401, message: 'Incorrect API key provided.', errorType: 'invalid_request_error', code: 'invalid_api_key' }));
    url = `${fake.url}/v1`;
  });
  afterAll(() => fake.close());

  it('pauses at the first refusal, exits 3 with the reason and the resume command, and resume finishes it', async () => {
    const flags = ['--transcripts', 'examples/transcripts', '--openai-url', url, '--openai-model', 'tiny'];
    const run = await runCli(['run', 'examples/urls.txt', ...flags], { home, store });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/Paused: .*AUTHENTICATION_FAILED/);
    const jobId = new RegExp(`resume with: ${INVOCATION.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} resume (\\S+)`).exec(run.stdout)?.[1];
    expect(jobId, run.stdout).toBeDefined();
    // One call per summary slot at most, not one per video.
    expect(fake.requests.length).toBeLessThanOrEqual(4);
    const status = await runCli(['list'], { home, store });
    expect(status.stdout).toMatch(/paused/);

    fake.reset(); // the key works again: a valid summary for every request
    const resumed = await runCli(['resume', jobId as string, ...flags], { home, store });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout, resumed.stdout).toMatch(/Done: 5 done/);
  });
});
