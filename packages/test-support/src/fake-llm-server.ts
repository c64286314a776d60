// A scriptable HTTP server on 127.0.0.1 that the real Anthropic and OpenAI SDKs talk to
// through `baseURL`. Used by fake-anthropic-server.ts and fake-openai-server.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConditions } from './conditions.js';

/** Tokens as the fake servers count them: one per four characters, for prompts and transcripts alike. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** System prompt and user messages, as plain text. */
  system: string;
  user: string;
  /** {@link countTokens} of system + user. */
  inputTokens: number;
}

/** The video a request summarizes, read from the transcript text the fakes write (`… of video ID …`). */
export function videoOfRequest(request: RecordedRequest): string {
  return /\bof video (\S+)/.exec(request.user)?.[1] ?? `${request.method} ${request.path}`;
}

/** What the server does with one request. */
export type FakeReply =
  /** A successful answer whose text is `text` (or the JSON of `json`). */
  | { text?: string; json?: unknown; outputTokens?: number; delayMs?: number; truncated?: boolean }
  /** An HTTP error with the provider's error body. */
  | { status: number; message?: string; errorType?: string; code?: string; headers?: Record<string, string>; body?: unknown }
  /** Never answer; the request ends when the client closes the connection. */
  | { hang: true }
  /** A transient fault at the wire, see {@link LlmFaultKind}. */
  | { fault: LlmFaultKind; delayMs?: number };

/**
 * The transient faults a provider shows in the field: `429` (with `retry-after: 1`), `529`
 * (overloaded), `500`, a connection reset before any byte of the answer, a reset half-way
 * through the body, a 200 whose JSON is cut short, and a body that stalls past the client's
 * timeout (`delayMs`, default 2 s) before it finishes.
 */
export const LLM_FAULT_KINDS = ['429', '529', '500', 'reset-before-body', 'reset-during-body', 'truncated-json', 'slow-body'] as const;
export type LlmFaultKind = (typeof LLM_FAULT_KINDS)[number];

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServerProtocol {
  /** Answers requests outside the one endpoint (e.g. Anthropic's `/v1/messages/batches`); true when it did. Not recorded in `requests`. */
  route?(method: string, path: string, body: Record<string, unknown>, res: ServerResponse): boolean | Promise<boolean>;
  /** Pulls system and user text out of a request body. */
  prompt(body: Record<string, unknown>): { system: string; user: string };
  success(request: RecordedRequest, text: string, outputTokens: number, truncated: boolean): unknown;
  error(status: number, message: string, errorType: string | undefined, code: string | undefined): unknown;
}

export interface FakeLlmServer {
  /** The base URL to hand to the SDK. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests whose connection the client closed before we answered. */
  readonly closedBeforeAnswer: RecordedRequest[];
  /** Queue replies, used in order; when the queue is empty the default handler answers. */
  script(...replies: (FakeReply | FakeHandler)[]): void;
  /** Replace the default handler (a valid summary answer unless set). */
  setDefault(handler: FakeHandler): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  /** Resolves once `count` connections were closed by the client before an answer. */
  waitForClosed(count: number): Promise<void>;
  /** Forget requests and queued replies. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A plausible answer to one of our prompts: key points at the first timestamps of the
 * transcript (or of the part summaries), shaped as the system prompt asks.
 */
export function defaultAnswer(request: RecordedRequest): FakeReply {
  const seconds = [...request.user.matchAll(/\[(\d+(?::\d\d){1,2})\]|"seconds":(\d+)/g)].map((match) =>
    match[1] ? match[1].split(':').reduce((total, part) => total * 60 + Number(part), 0) : Number(match[2]),
  );
  const pick = [0, Math.floor(seconds.length / 3), Math.floor((2 * seconds.length) / 3)].map((index) => seconds[index] ?? 0);
  const keyPoints = pick.map((second, index) => ({
    text: `Point ${index + 1} of this stretch: the speaker explains why the design holds up under load and what it costs.`,
    seconds: second,
  }));
  const tldr = 'The video explains a system design, the trade-offs it makes, and how to measure whether it works.';
  if (request.system.includes('"title": string')) return { json: { title: 'A part of the talk', tldr, keyPoints } };
  if (request.system.includes('"chapters"')) {
    return {
      json: {
        tldr,
        keyPoints,
        chapters: pick.map((second, index) => ({ title: `Chapter ${index + 1}`, seconds: second, summary: 'What this chapter covers.' })),
      },
    };
  }
  return { json: { tldr, keyPoints } };
}

/** A provider that rejects every request's key, as after a key is revoked. */
export const deadKey: FakeHandler = () => ({ status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' });

/** A provider that does not know the model asked for (Anthropic's 404 `not_found_error`). */
export const unknownModel: FakeHandler = (request) => ({
  status: 404,
  errorType: 'not_found_error',
  code: 'model_not_found',
  message: `model: ${String(request.body['model'])}`,
});

/** Plays one transient fault on `res`; the body that would have been sent is a default answer. */
async function injectFault(kind: LlmFaultKind, delayMs: number, request: RecordedRequest, res: ServerResponse, protocol: FakeServerProtocol): Promise<void> {
  const fullBody = (): string => {
    const reply = defaultAnswer(request) as { json: unknown };
    const text = JSON.stringify(reply.json);
    return JSON.stringify(protocol.success(request, text, countTokens(text), false));
  };
  const error = (status: number, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(protocol.error(status, `injected ${status}`, undefined, undefined)));
  };
  switch (kind) {
    case '429':
      return error(429, { 'retry-after': '1' });
    case '529':
      return error(529);
    case '500':
      return error(500);
    case 'reset-before-body':
      res.socket?.destroy();
      return;
    case 'reset-during-body': {
      const body = fullBody();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    case 'truncated-json': {
      const body = fullBody().slice(0, 40);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    case 'slow-body': {
      const body = fullBody();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, 20));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (!res.destroyed) res.end(body.slice(20));
      return;
    }
  }
}

export async function startFakeLlmServer(protocol: FakeServerProtocol): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const closedBeforeAnswer: RecordedRequest[] = [];
  const queue: (FakeReply | FakeHandler)[] = [];
  let fallback: FakeHandler = defaultAnswer;
  const { until, notify } = createConditions();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      body = {};
    }
    if (protocol.route && (await protocol.route(req.method ?? 'GET', req.url ?? '/', body, res))) return;
    const { system, user } = protocol.prompt(body);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body,
      system,
      user,
      inputTokens: countTokens(system) + countTokens(user),
    };
    requests.push(request);
    let answered = false;
    res.on('close', () => {
      if (!answered) {
        closedBeforeAnswer.push(request);
        notify();
      }
    });
    notify();

    const next = queue.shift() ?? fallback;
    const reply = typeof next === 'function' ? await next(request) : next;
    if ('hang' in reply) return;
    if ('fault' in reply) {
      answered = true;
      await injectFault(reply.fault, reply.delayMs ?? 2000, request, res, protocol);
      return;
    }
    if ('status' in reply) {
      answered = true;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      const body = reply.body ?? protocol.error(reply.status, reply.message ?? `error ${reply.status}`, reply.errorType, reply.code);
      res.end(JSON.stringify(body));
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    const text = reply.text ?? JSON.stringify(reply.json ?? {});
    answered = true;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(protocol.success(request, text, reply.outputTokens ?? countTokens(text), reply.truncated ?? false)));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(protocol.error(500, String(error), 'api_error', undefined)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closedBeforeAnswer,
    script: (...replies) => queue.push(...replies),
    setDefault: (handler) => {
      fallback = handler;
    },
    waitForRequests: (count) => until(() => requests.length >= count),
    waitForClosed: (count) => until(() => closedBeforeAnswer.length >= count),
    reset: () => {
      requests.length = 0;
      closedBeforeAnswer.length = 0;
      queue.length = 0;
      fallback = defaultAnswer;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * The fault mode of a fake server: `server.setDefault(withFaults(plan))`. Each request draws from
 * `plan` (see test/support/chaos.ts); a request without a fault gets `answer` (a valid summary).
 */
export function withFaults(
  plan: { next(label?: string): LlmFaultKind | undefined },
  options: {
    slowBodyMs?: number | undefined;
    answer?: FakeHandler | undefined;
    /** What a request is for, e.g. its video, so that a plan's `maxConsecutive` bounds each video's run of faults. */
    label?: ((request: RecordedRequest) => string) | undefined;
  } = {},
): FakeHandler {
  return (request) => {
    const kind = plan.next(options.label?.(request) ?? `${request.method} ${request.path}`);
    if (kind === undefined) return (options.answer ?? defaultAnswer)(request);
    return options.slowBodyMs === undefined ? { fault: kind } : { fault: kind, delayMs: options.slowBodyMs };
  };
}
