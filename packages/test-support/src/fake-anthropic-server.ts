// A fake Anthropic Messages API (POST /v1/messages, and the Message Batches API under
// /v1/messages/batches) on 127.0.0.1 for the real @anthropic-ai/sdk.
import { createFakeMessageBatches, type FakeMessageBatches } from './fake-anthropic-batches.js';
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server.js';

export type { FakeBatch, FakeBatchOutcome, FakeBatchRequest, FakeMessageBatches } from './fake-anthropic-batches.js';

export { LLM_FAULT_KINDS, countTokens, deadKey, defaultAnswer, unknownModel, withFaults } from './fake-llm-server.js';
export type { FakeHandler, FakeLlmServer, FakeReply, LlmFaultKind, RecordedRequest } from './fake-llm-server.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((block) => (block && typeof block === 'object' && 'text' in block ? String(block.text) : '')).join('');
  }
  return '';
}

function prompt(body: Record<string, unknown>): { system: string; user: string } {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as { content?: unknown }[]) : [];
  return { system: text(body['system']), user: messages.map((message) => text(message.content)).join('\n') };
}

/** The fake Anthropic server: `batches` scripts its Message Batches API. */
export interface FakeAnthropicServer extends FakeLlmServer {
  readonly batches: FakeMessageBatches;
}

/** Starts the fake; pass `server.url` as the SDK's `baseURL`. */
export async function startFakeAnthropicServer(): Promise<FakeAnthropicServer> {
  let id = 0;
  let url = '';
  const batches = createFakeMessageBatches({ prompt }, () => url);
  const server = await startFakeLlmServer({
    prompt,
    route: batches.route,
    success(request, answer, outputTokens, truncated) {
      id += 1;
      return {
        id: `msg_fake_${id}`,
        type: 'message',
        role: 'assistant',
        model: request.body['model'],
        content: [{ type: 'text', text: answer }],
        stop_reason: truncated ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: request.inputTokens, output_tokens: outputTokens },
      };
    },
    error(status, message, errorType) {
      return { type: 'error', error: { type: errorType ?? ERROR_TYPES[status] ?? 'api_error', message } };
    },
  });
  url = server.url;
  const reset = server.reset;
  return Object.assign(server, {
    batches,
    reset: () => {
      reset();
      batches.reset();
    },
  });
}
