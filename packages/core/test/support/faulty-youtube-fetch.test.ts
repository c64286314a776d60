import { afterEach, describe, expect, it, vi } from 'vitest';
import { faultyYouTubeFetch } from './faulty-youtube-fetch.js';
import type { YouTubeFault } from './faulty-youtube-fetch.js';

const BODY = '<?xml version="1.0" encoding="utf-8" ?><transcript><text start="0" dur="1">Hello</text></transcript>';

/** An inner fetch answering every request with BODY, counting calls. */
function inner() {
  const calls: string[] = [];
  const fetch = (input: string | URL | Request) => {
    calls.push(String(input));
    return Promise.resolve(new Response(BODY, { status: 200, headers: { 'content-type': 'text/xml', 'x-kept': 'yes' } }));
  };
  return { fetch, calls };
}

const urls = (count: number) => Array.from({ length: count }, (_, index) => `https://www.youtube.com/api/timedtext?v=video${index}`);

/** What a request ends in: a status and body, or the rejection (of fetch or of reading the body). */
async function outcome(promise: Promise<Response>) {
  try {
    const response = await promise;
    return { status: response.status, body: await response.text(), headers: response.headers };
  } catch (error) {
    return { error: error as TypeError & { cause?: { code?: string } } };
  }
}

describe('faultyYouTubeFetch', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('passes every request through untouched at rate 0', async () => {
    const youtube = inner();
    const faulty = faultyYouTubeFetch(youtube.fetch, { rate: 0, seed: 1 });
    for (const url of urls(20)) expect(await outcome(faulty.fetch(url))).toMatchObject({ status: 200, body: BODY });
    expect(youtube.calls).toHaveLength(20);
    expect(faulty.injected()).toEqual({ 'server-error': 0, 'connection-reset': 0, 'truncated-body': 0 });
  });

  it('server-error: a 500, 502 or 503 error page, YouTube never asked', async () => {
    const youtube = inner();
    const faulty = faultyYouTubeFetch(youtube.fetch, { rate: 1, seed: 2, faults: ['server-error'] });
    const statuses = new Set<number>();
    for (const url of urls(40)) {
      const result = await outcome(faulty.fetch(url));
      expect(result.body).toMatch(/<html>.*Server Error/);
      statuses.add(result.status ?? 0);
    }
    expect([...statuses].sort()).toEqual([500, 502, 503]);
    expect(youtube.calls).toHaveLength(0);
  });

  it('connection-reset: fetch rejects as undici does, or the body breaks off while streaming', async () => {
    const faulty = faultyYouTubeFetch(inner().fetch, { rate: 1, seed: 3, faults: ['connection-reset'] });
    const messages = new Set<string>();
    for (const url of urls(40)) {
      const { error } = await outcome(faulty.fetch(url));
      expect(error).toBeInstanceOf(TypeError);
      expect(error?.cause?.code).toBe('ECONNRESET');
      messages.add(error?.message ?? '');
    }
    expect([...messages].sort()).toEqual(['fetch failed', 'terminated']);
  });

  it('truncated-body: the real status and headers with a strict, non-empty prefix of the body', async () => {
    const faulty = faultyYouTubeFetch(inner().fetch, { rate: 1, seed: 4, faults: ['truncated-body'] });
    const lengths = new Set<number>();
    for (const url of urls(40)) {
      const result = await outcome(faulty.fetch(url));
      expect(result.status).toBe(200);
      expect(result.headers?.get('x-kept')).toBe('yes');
      expect(BODY.startsWith(result.body ?? 'x')).toBe(true);
      expect(result.body?.length).toBeGreaterThan(0);
      expect(result.body?.length).toBeLessThan(BODY.length);
      lengths.add(result.body?.length ?? 0);
    }
    expect(lengths.size).toBeGreaterThan(10);
  });

  it('faults about `rate` of the requests, of every kind', async () => {
    const faulty = faultyYouTubeFetch(inner().fetch, { rate: 0.3, seed: 5 });
    await Promise.all(urls(1000).map((url) => outcome(faulty.fetch(url))));
    const injected = faulty.injected();
    const total = Object.values(injected).reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThan(250);
    expect(total).toBeLessThan(350);
    for (const count of Object.values(injected)) expect(count).toBeGreaterThan(60);
  });

  it('replays from its seed whatever the order of the requests, and differs with another seed', async () => {
    const faultsOf = async (seed: number, order: string[]) => {
      const faulty = faultyYouTubeFetch(inner().fetch, { rate: 0.5, seed });
      // Each URL twice: the second identical request has its own draw.
      for (const url of [...order, ...order]) await outcome(faulty.fetch(url));
      const byUrl = new Map<string, Array<YouTubeFault | undefined>>();
      for (const record of faulty.records) byUrl.set(record.url, [...(byUrl.get(record.url) ?? []), record.fault]);
      return [...byUrl.entries()].sort(([a], [b]) => a.localeCompare(b));
    };
    const forward = urls(30);
    const first = await faultsOf(7, forward);
    expect(await faultsOf(7, [...forward].reverse())).toEqual(first);
    expect(await faultsOf(8, forward)).not.toEqual(first);
  });

  it('takes its seed from CHAOS_SEED and prints it', () => {
    vi.stubEnv('CHAOS_SEED', '1234');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(faultyYouTubeFetch(inner().fetch, { rate: 0.3 }).seed).toBe(1234);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^chaos seed=1234 /));
    vi.stubEnv('CHAOS_SEED', 'abc');
    expect(() => faultyYouTubeFetch(inner().fetch, { rate: 0.3 })).toThrow('Expected `CHAOS_SEED` to be an integer from 0 to 4294967295, got `abc`');
  });

  it('validates its options', () => {
    expect(() => faultyYouTubeFetch(inner().fetch, { rate: 1.5, seed: 1 })).toThrow('Expected `rate` to be a number from 0 to 1, got `1.5`');
    expect(() => faultyYouTubeFetch(inner().fetch, { rate: 0.3, seed: 1, faults: [] })).toThrow(/`faults`/);
  });
});
