// Test fakes shared by every package's tests (and the benchmarks): the scriptable LLM servers
// the real Anthropic and OpenAI SDKs talk to on 127.0.0.1, the shared log of summarizer calls of
// worker processes, the condition waiters of the fakes, and the bundler of the scripts tests
// start as child processes. Not published.
export * from './fake-llm-server.js';
export * from './fake-anthropic-server.js';
export * from './fake-openai-server.js';
export * from './model-naming-server.js';
export * from './call-log.js';
export * from './conditions.js';
export * from './bundle-script.js';
