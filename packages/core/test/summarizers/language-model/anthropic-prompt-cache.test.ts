// Prompt caching of AnthropicSummarizer: off by default, a cache mark only on prompts long enough
// to be cached, and the cache figures reported from the usage.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicSummarizer, DEFAULT_PRICES, requestCostUsd } from '@tubesum/core';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../../../test-support/src/fake-anthropic-server.js';
import { generateTranscript } from '../generate-transcript.js';

let server: FakeAnthropicServer;
beforeAll(async () => {
  server = await startFakeAnthropicServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

const summarizer = (promptCache?: boolean) =>
  new AnthropicSummarizer({ apiKey: 'sk-ant-test', baseURL: server.url, ...(promptCache === undefined ? {} : { promptCache }) });
const content = () => (server.requests.at(-1)!.body['messages'] as { content: unknown }[])[0]!.content;

describe('AnthropicSummarizer prompt caching', () => {
  it('is off by default: the transcript goes as plain text, without a cache mark', async () => {
    await summarizer().summarize(generateTranscript({ durationMs: 3_600_000, seed: 2 }));
    expect(typeof content()).toBe('string');
  });

  it('marks only prompts at least as long as the model caches (4,096 tokens for Haiku 4.5)', async () => {
    await summarizer(true).summarize(generateTranscript({ durationMs: 300_000, seed: 2 }));
    expect(server.requests.at(-1)!.inputTokens).toBeLessThan(4096);
    expect(typeof content()).toBe('string');

    await summarizer(true).summarize(generateTranscript({ durationMs: 3_600_000, seed: 2 }));
    expect(server.requests.at(-1)!.inputTokens).toBeGreaterThan(4096);
    expect(content()).toEqual([expect.objectContaining({ type: 'text', cache_control: { type: 'ephemeral' } })]);
  });

  it('reports cache reads and writes from the usage and prices them at their own rates', async () => {
    server.setDefault((request) => ({
      status: 200,
      body: {
        id: 'msg_cached',
        type: 'message',
        role: 'assistant',
        model: request.body['model'],
        content: [{ type: 'text', text: JSON.stringify({ tldr: 'A cached talk.', keyPoints: [{ text: 'A point made early on.', seconds: 0 }] }) }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 5000, cache_creation_input_tokens: 200 },
      },
    }));
    const summary = await summarizer(true).summarize(generateTranscript({ durationMs: 600_000, seed: 3 }));
    expect(summary.usage).toEqual({ inputTokens: 5300, outputTokens: 50, cacheReadInputTokens: 5000, cacheCreationInputTokens: 200 });
    const expected = requestCostUsd(DEFAULT_PRICES['claude-haiku-4-5'], summary.usage)!;
    expect(summary.costUsd).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo((100 * 1 + 5000 * 0.1 + 200 * 1.25 + 50 * 5) / 1e6, 12);
  });
});
