// Anthropic's Message Batches API (`/v1/messages/batches`: create, retrieve, list, results as
// JSONL, cancel) for the fake Anthropic server, scriptable per request, driven by the real SDK.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { countTokens, defaultAnswer, type RecordedRequest } from './fake-llm-server.js';
import { createConditions } from './conditions.js';

/** How one request of a batch ends. */
export type FakeBatchOutcome = 'succeeded' | 'errored-transient' | 'errored-permanent' | 'expired' | 'canceled';

/** One request as it arrived inside a batch. */
export interface FakeBatchRequest {
  batchId: string;
  customId: string;
  params: Record<string, unknown>;
  /** Its prompt as the plain fake reads it (system and user text, token estimate). */
  prompt: RecordedRequest;
}

export interface FakeBatch {
  id: string;
  createdAt: string;
  requests: FakeBatchRequest[];
  status: 'in_progress' | 'canceling' | 'ended';
  canceled: boolean;
  outcomes: Map<string, FakeBatchOutcome>;
  endedAt?: string;
}

export interface FakeMessageBatches {
  readonly batches: FakeBatch[];
  /** Calls to the batch endpoints, as `METHOD /path`. */
  readonly calls: string[];
  /** Requests received inside every batch created: what the provider would bill. */
  requestCount(): number;
  /** Decides how each request ends when its batch ends (default: `succeeded`). */
  setOutcome(decide: (request: FakeBatchRequest, context: { canceled: boolean }) => FakeBatchOutcome): void;
  /** Batches stay `in_progress` until {@link release} (default: they end at their first `retrieve`). */
  hold(): void;
  release(): void;
  /** The results stream sends this many lines, then stalls until the client hangs up; undefined: all of them. */
  stallResultsAfter(lines: number | undefined): void;
  /** The answer to `create` comes this much later than the batch is made (a window to crash in). */
  delayCreateAnswer(ms: number): void;
  /** Result lines sent so far, over every results download. */
  resultLinesSent(): number;
  waitForBatches(count: number): Promise<void>;
  waitForResultLines(count: number): Promise<void>;
  reset(): void;
}

interface Prompting {
  prompt(body: Record<string, unknown>): { system: string; user: string };
}

/** The batch endpoints; `route` plugs into the fake server's protocol. */
export function createFakeMessageBatches(
  protocol: Prompting,
  baseUrl: () => string,
): FakeMessageBatches & { route: (method: string, path: string, body: Record<string, unknown>, res: ServerResponse) => Promise<boolean> } {
  const batches: FakeBatch[] = [];
  const calls: string[] = [];
  let decide: (request: FakeBatchRequest, context: { canceled: boolean }) => FakeBatchOutcome = () => 'succeeded';
  let held = false;
  let stallAfter: number | undefined;
  let createDelayMs = 0;
  let linesSent = 0;
  let serial = 0;
  const { until, notify } = createConditions();

  const end = (batch: FakeBatch): void => {
    if (batch.status === 'ended') return;
    for (const request of batch.requests) batch.outcomes.set(request.customId, decide(request, { canceled: batch.canceled }));
    batch.status = 'ended';
    batch.endedAt = new Date().toISOString();
  };
  const view = (batch: FakeBatch) => {
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    for (const request of batch.requests) {
      const outcome = batch.outcomes.get(request.customId);
      if (outcome === undefined) counts.processing += 1;
      else if (outcome.startsWith('errored')) counts.errored += 1;
      else counts[outcome as 'succeeded' | 'canceled' | 'expired'] += 1;
    }
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: batch.status,
      request_counts: counts,
      created_at: batch.createdAt,
      ended_at: batch.endedAt ?? null,
      expires_at: new Date(Date.parse(batch.createdAt) + 86_400_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: batch.canceled ? batch.createdAt : null,
      results_url: batch.status === 'ended' ? `${baseUrl()}/v1/messages/batches/${batch.id}/results` : null,
    };
  };
  const json = (res: ServerResponse, status: number, body: unknown): true => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return true;
  };
  const notFound = (res: ServerResponse, id: string): true => json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no batch ${id}` } });

  const resultLine = (batch: FakeBatch, request: FakeBatchRequest): string => {
    const outcome = batch.outcomes.get(request.customId) ?? 'canceled';
    let result: unknown;
    switch (outcome) {
      case 'succeeded': {
        const reply = defaultAnswer(request.prompt) as { json: unknown };
        const text = JSON.stringify(reply.json);
        result = {
          type: 'succeeded',
          message: {
            id: `msg_batch_${request.customId}`,
            type: 'message',
            role: 'assistant',
            model: request.params['model'],
            content: [{ type: 'text', text }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: request.prompt.inputTokens, output_tokens: countTokens(text), cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
          },
        };
        break;
      }
      case 'errored-transient':
        result = { type: 'errored', error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
        break;
      case 'errored-permanent':
        result = { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: must be at most 64000' } } };
        break;
      case 'expired':
      case 'canceled':
        result = { type: outcome };
        break;
    }
    return `${JSON.stringify({ custom_id: request.customId, result })}\n`;
  };

  const route = async (method: string, path: string, body: Record<string, unknown>, res: ServerResponse): Promise<boolean> => {
    const url = new URL(path, 'http://fake');
    if (!url.pathname.startsWith('/v1/messages/batches')) return false;
    calls.push(`${method} ${url.pathname}`);
    const [, id, action] = /^\/v1\/messages\/batches(?:\/([^/]+))?(?:\/(results|cancel))?$/.exec(url.pathname) ?? [];
    const batch = id === undefined ? undefined : batches.find((candidate) => candidate.id === id);
    if (method === 'POST' && id === undefined) {
      const requests = Array.isArray(body['requests']) ? (body['requests'] as { custom_id?: unknown; params?: Record<string, unknown> }[]) : [];
      const ids = requests.map((request) => request.custom_id);
      if (
        requests.length === 0 ||
        ids.some((customId) => typeof customId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(customId)) ||
        new Set(ids).size !== ids.length
      ) {
        return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'requests: invalid or duplicate custom_id' } });
      }
      serial += 1;
      const created: FakeBatch = {
        id: `msgbatch_fake_${serial}`,
        createdAt: new Date().toISOString(),
        requests: [],
        status: 'in_progress',
        canceled: false,
        outcomes: new Map(),
      };
      for (const request of requests) {
        const params = request.params ?? {};
        const { system, user } = protocol.prompt(params);
        const prompt: RecordedRequest = {
          method: 'POST',
          path: '/v1/messages',
          headers: {},
          body: params,
          system,
          user,
          inputTokens: countTokens(system) + countTokens(user),
        };
        created.requests.push({ batchId: created.id, customId: request.custom_id as string, params, prompt });
      }
      batches.push(created);
      notify();
      if (createDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, createDelayMs));
      return json(res, 200, view(created));
    }
    if (method === 'GET' && id === undefined) {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const newestFirst = [...batches].reverse().slice(0, limit).map(view);
      return json(res, 200, { data: newestFirst, has_more: false, first_id: newestFirst[0]?.id ?? null, last_id: newestFirst.at(-1)?.id ?? null });
    }
    if (!batch) return notFound(res, id ?? '');
    if (method === 'GET' && action === undefined) {
      if (batch.status === 'canceling' || (!held && batch.status === 'in_progress')) end(batch);
      return json(res, 200, view(batch));
    }
    if (method === 'POST' && action === 'cancel') {
      if (batch.status === 'in_progress') {
        batch.canceled = true;
        batch.status = 'canceling';
      }
      return json(res, 200, view(batch));
    }
    if (method === 'GET' && action === 'results') {
      if (batch.status !== 'ended') return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'batch still processing' } });
      // Any order: sorted by a hash of the custom id, not as submitted.
      const order = [...batch.requests].sort((a, b) => hash(a.customId).localeCompare(hash(b.customId)));
      res.writeHead(200, { 'content-type': 'application/binary' });
      let sent = 0;
      for (const request of order) {
        if (stallAfter !== undefined && sent >= stallAfter) {
          await new Promise<void>((resolve) => res.once('close', () => resolve()));
          return true;
        }
        res.write(resultLine(batch, request));
        sent += 1;
        linesSent += 1;
        notify();
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
      return true;
    }
    return json(res, 405, { type: 'error', error: { type: 'invalid_request_error', message: `${method} ${url.pathname}` } });
  };

  return {
    batches,
    calls,
    route,
    requestCount: () => batches.reduce((sum, batch) => sum + batch.requests.length, 0),
    setOutcome: (next) => {
      decide = next;
    },
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
    },
    stallResultsAfter: (lines) => {
      stallAfter = lines;
    },
    delayCreateAnswer: (ms) => {
      createDelayMs = ms;
    },
    resultLinesSent: () => linesSent,
    waitForBatches: (count) => until(() => batches.length >= count),
    waitForResultLines: (count) => until(() => linesSent >= count),
    reset: () => {
      batches.length = 0;
      calls.length = 0;
      decide = () => 'succeeded';
      held = false;
      stallAfter = undefined;
      createDelayMs = 0;
      linesSent = 0;
    },
  };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
