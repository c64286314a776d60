// A fake OpenAI-compatible chat-completions API (POST /v1/chat/completions) on 127.0.0.1,
// as Ollama, vLLM, LM Studio and OpenRouter serve it, for the real `openai` SDK.
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server.js';

export { LLM_FAULT_KINDS, countTokens, deadKey, defaultAnswer, unknownModel, withFaults } from './fake-llm-server.js';
export type { FakeHandler, FakeLlmServer, FakeReply, LlmFaultKind, RecordedRequest } from './fake-llm-server.js';

/** Starts the fake; pass `${server.url}/v1` as the SDK's `baseURL`. */
export function startFakeOpenAIServer(): Promise<FakeLlmServer> {
  let id = 0;
  return startFakeLlmServer({
    prompt(body) {
      const messages = Array.isArray(body['messages']) ? (body['messages'] as { role?: string; content?: unknown }[]) : [];
      const of = (role: string) =>
        messages
          .filter((message) => message.role === role)
          .map((message) => (typeof message.content === 'string' ? message.content : ''))
          .join('\n');
      return { system: of('system'), user: of('user') };
    },
    success(request, answer, outputTokens, truncated) {
      id += 1;
      return {
        id: `chatcmpl-fake-${id}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: request.body['model'],
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: truncated ? 'length' : 'stop' }],
        usage: { prompt_tokens: request.inputTokens, completion_tokens: outputTokens, total_tokens: request.inputTokens + outputTokens },
      };
    },
    error(status, message, errorType, code) {
      return { error: { message, type: errorType ?? (status === 429 ? 'rate_limit_exceeded' : 'invalid_request_error'), code: code ?? null } };
    },
  });
}
