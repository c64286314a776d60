// The fake OpenAI-compatible server scripted for the bot's and the CLI's end-to-end tests: every
// summary names the model asked for (so a test sees which model, or which worker's model, wrote
// what), and requests can be held to catch a batch mid-flight.
import { startFakeOpenAIServer } from './fake-openai-server.js';

export interface ModelNamingServer {
  /** The value for `OPENAI_BASE_URL` / `--openai-url`. */
  readonly baseUrl: string;
  /** The `model` of every chat-completions request, in order. */
  readonly models: string[];
  /** Answers `count` more requests, then holds the others until {@link ModelNamingServer.release}. */
  holdAfter(count: number): void;
  /** Answers the held requests and every later one. */
  release(): void;
  close(): Promise<void>;
}

/** Starts the fake; each answer comes after `latencyMs`. */
export async function startModelNamingServer(latencyMs = 0): Promise<ModelNamingServer> {
  const server = await startFakeOpenAIServer();
  let allowed = Number.POSITIVE_INFINITY;
  let released: Promise<void> = Promise.resolve();
  let release = () => {};
  server.setDefault(async (request) => {
    if (allowed <= 0) await released;
    allowed -= 1;
    const model = String(request.body['model']);
    return { json: { tldr: `Summary written by ${model}.`, keyPoints: [{ text: `A key point noted by ${model}.`, seconds: 0 }] }, delayMs: latencyMs };
  });
  return {
    baseUrl: `${server.url}/v1`,
    get models() {
      return server.requests.map((request) => String(request.body['model']));
    },
    holdAfter(count) {
      allowed = count;
      released = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      allowed = Number.POSITIVE_INFINITY;
      release();
    },
    close: () => server.close(),
  };
}
