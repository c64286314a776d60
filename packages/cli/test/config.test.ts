import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveProcessorConfig, resolveRunConfig, resumeHint } from '../src/config.js';
import type { ProcessorFlags } from '../src/config.js';
import { resolveQueue, resolveWorkerConfig, withQueue } from '../src/queue-config.js';
import type { QueueFlags } from '../src/queue-config.js';
import { ROOT } from './run-cli.js';

describe('resolveRunConfig', () => {
  it('picks the summarizer: --offline, then --openai-url, then ANTHROPIC_API_KEY, else extractive with a notice', () => {
    expect(resolveRunConfig({ offline: true }, {}, ROOT).summarizer).toEqual({ kind: 'extractive' });
    expect(resolveRunConfig({ openaiUrl: 'http://127.0.0.1:11434/v1', openaiModel: 'llama3.1:8b' }, { ANTHROPIC_API_KEY: 'k' }, ROOT).summarizer).toEqual({
      kind: 'openai-compatible',
      baseURL: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1:8b',
      contextTokens: 4096,
    });
    expect(resolveRunConfig({ model: 'claude-sonnet-4-6' }, { ANTHROPIC_API_KEY: 'k' }, ROOT).summarizer).toEqual({
      kind: 'anthropic',
      apiKey: 'k',
      model: 'claude-sonnet-4-6',
    });
    expect(resolveRunConfig({}, { ANTHROPIC_API_KEY: '  ' }, ROOT).summarizer).toMatchObject({
      kind: 'extractive',
      notice: expect.stringContaining('ANTHROPIC_API_KEY'),
    });
  });

  it('turns flags into job options and the store into ~/.tubesum unless told otherwise', () => {
    const config = resolveRunConfig({ length: 'short', language: 'de', transcriptLanguages: 'en, pt-BR' }, {}, ROOT);
    expect(config.jobOptions).toEqual({ length: 'short', language: 'de', transcriptLanguages: ['en', 'pt-BR'] });
    expect(config.storeUrl).toBe(join(homedir(), '.tubesum', 'store.sqlite'));
    expect(resolveRunConfig({}, { TUBESUM_STORE: 'redis://127.0.0.1:6379' }, ROOT).storeUrl).toBe('redis://127.0.0.1:6379');
    expect(resolveRunConfig({ store: 'memory://' }, { TUBESUM_STORE: 'redis://x' }, ROOT).storeUrl).toBe('memory://');
  });

  it('rejects conflicting or malformed flags with a message naming the flag', () => {
    expect(() => resolveRunConfig({ offline: true, model: 'x' }, {}, ROOT)).toThrow('`--offline` cannot be combined');
    expect(() => resolveRunConfig({ openaiUrl: 'http://x/v1' }, {}, ROOT)).toThrow('`--openai-url` needs `--openai-model`');
    expect(() => resolveRunConfig({ transcriptLanguages: 'en,,english!' }, {}, ROOT)).toThrow(/Expected `--transcript-languages`/);
    expect(() => resolveRunConfig({ youtube: false }, {}, ROOT)).toThrow('`--no-youtube` needs `--transcripts <dir>`');
  });
});

describe('resumeHint', () => {
  it('repeats the flags that rebuild the same processor, quoted for the shell', () => {
    expect(resumeHint('abc', { transcripts: 'my captions', offline: true, out: 'out.zip' })).toBe(
      "tubesum resume abc --transcripts 'my captions' --offline --out out.zip",
    );
  });
});

describe('the proxy for YouTube', () => {
  it('takes --proxy, else TUBESUM_PROXY, else HTTPS_PROXY (or HTTP_PROXY) with NO_PROXY', () => {
    const proxyOf = (flags: Parameters<typeof resolveRunConfig>[0], env: Parameters<typeof resolveRunConfig>[1]) =>
      resolveRunConfig({ offline: true, ...flags }, env, ROOT).transcripts.proxy;
    expect(proxyOf({ proxy: 'http://a:1' }, { TUBESUM_PROXY: 'http://b:2', HTTPS_PROXY: 'http://c:3' })).toEqual({ url: 'http://a:1', origin: '--proxy' });
    expect(proxyOf({}, { TUBESUM_PROXY: 'http://b:2', HTTPS_PROXY: 'http://c:3' })).toEqual({ url: 'http://b:2', origin: 'TUBESUM_PROXY' });
    expect(proxyOf({}, { https_proxy: 'http://c:3', no_proxy: 'localhost,.internal' })).toEqual({
      url: 'http://c:3',
      origin: 'HTTPS_PROXY',
      noProxy: 'localhost,.internal',
    });
    expect(proxyOf({}, { HTTP_PROXY: 'http://d:4' })).toEqual({ url: 'http://d:4', origin: 'HTTP_PROXY' });
    expect(proxyOf({}, { HTTPS_PROXY: '  ' })).toBeUndefined();
    // Nothing is sent to YouTube with --no-youtube, so no proxy is set up either.
    expect(resolveRunConfig({ youtube: false, transcripts: 'examples/transcripts', proxy: 'http://a:1' }, {}, ROOT).transcripts.proxy).toBeUndefined();
  });

  it('never shows a proxy password: not in errors, not in the resume hint', () => {
    expect(() => resolveRunConfig({ proxy: 'socks5://me:s3cret@proxy.example:1080' }, {}, ROOT)).toThrow(
      'Expected `--proxy` to be an http(s) URL such as `http://user:password@proxy.example:8080` (SOCKS proxies are not supported), got `socks5://me:***@proxy.example:1080`.',
    );
    expect(() => resolveRunConfig({}, { TUBESUM_PROXY: 'me:s3cret@proxy' }, ROOT)).toThrow(
      /^Expected `TUBESUM_PROXY` to be an http\(s\) URL .*got `\(a value that is not shown\)`\.$/,
    );
    const hint = resumeHint('abc', { proxy: 'http://me:s3cret@proxy.example:8080', anyTranscriptLanguage: true }, 'npx tubesum');
    expect(hint).toBe("npx tubesum resume abc --proxy 'http://me:***@proxy.example:8080' --any-transcript-language");
  });
});

describe('queue flags (run --queue, worker)', () => {
  const secret = 'redis://default:hunter2@10.0.0.5:6379';
  const messageOf = (action: () => unknown): string => {
    try {
      action();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('did not throw');
  };

  it('reads --queue, else TUBESUM_QUEUE_URL, and the prefix', () => {
    expect(resolveQueue({}, {})).toBeUndefined();
    expect(resolveQueue({ queue: secret }, { TUBESUM_QUEUE_URL: 'redis://other:6379' })).toEqual({ url: secret, prefix: 'tubesum' });
    expect(resolveQueue({ queuePrefix: 'team-a' }, { TUBESUM_QUEUE_URL: 'rediss://h:6380' })).toEqual({ url: 'rediss://h:6380', prefix: 'team-a' });
  });

  it('names the wrong flag without its password', () => {
    const wrongUrl = messageOf(() => resolveQueue({ queue: 'http://default:hunter2@h:6379' }, {}));
    expect(wrongUrl).toContain('Expected `--queue` to be a Redis URL');
    expect(wrongUrl).toContain('got `http://default:***@h:6379`');
    expect(messageOf(() => resolveQueue({}, { TUBESUM_QUEUE_URL: 'ftp://u:hunter2@h' }))).toMatch(/`TUBESUM_QUEUE_URL`.*got `ftp:\/\/u:\*\*\*@h`/);
    expect(messageOf(() => resolveQueue({ queue: secret, queuePrefix: 'a:b' }, {}))).toMatch(/`--queue-prefix`.*letters, digits/);
    expect(messageOf(() => resolveQueue({ queuePrefix: 'x' }, {}))).toContain('`--queue-prefix` only applies with `--queue');
  });

  it('with --queue, takes the store from the queue and refuses the flags the workers decide', () => {
    const config = withQueue({ queue: secret, youtube: false }, {}, (flags) => resolveRunConfig(flags, {}, ROOT));
    expect(config.queue).toEqual({ url: secret, prefix: 'tubesum' });
    expect(config.storeUrl).toBe(secret);
    expect(config.transcripts.youtube).toBe(false);
    expect(withQueue({ queue: secret, store: 'postgres://db/x' }, {}, (flags) => resolveProcessorConfig(flags, {}, ROOT)).storeUrl).toBe('postgres://db/x');
    const onlyQueue: ProcessorFlags & QueueFlags = { queue: secret };
    expect(withQueue(onlyQueue, { TUBESUM_STORE: 'redis://s' }, (flags) => resolveProcessorConfig(flags, {}, ROOT)).storeUrl).toBe('redis://s');
    expect(messageOf(() => withQueue({ queue: secret, model: 'm', transcripts: 'x' }, {}, (flags) => resolveProcessorConfig(flags, {}, ROOT)))).toBe(
      '`--model`, `--transcripts` have no effect with `--queue`: the workers choose the summarizer and the transcripts (pass them to `tubesum worker`).',
    );
    // Without a queue nothing changes.
    expect(withQueue({}, {}, (flags) => resolveRunConfig(flags, {}, ROOT)).storeUrl).toBe(join(homedir(), '.tubesum', 'store.sqlite'));
  });

  it('resolves a worker: queue required, limits, the summarizer of run', () => {
    expect(messageOf(() => resolveWorkerConfig({ offline: true }, {}, ROOT))).toContain('`tubesum worker` needs `--queue <redis://…>`');
    const worker = resolveWorkerConfig({ queue: secret, offline: true, concurrencyTranscripts: '1', globalSummaries: '16' }, {}, ROOT);
    expect(worker.workerConcurrency).toEqual({ transcripts: 1, summaries: 4 });
    expect(worker.globalSummaries).toBe(16);
    expect(worker.summarizer).toEqual({ kind: 'extractive' });
    expect(worker.storeUrl).toBe(secret);
    expect(messageOf(() => resolveWorkerConfig({ queue: secret, concurrencySummaries: '0' }, {}, ROOT))).toContain(
      'Expected `--concurrency-summaries` to be a positive integer',
    );
  });

  it('puts the queue in the resume hint without its password', () => {
    const hint = resumeHint('abc', { queue: secret, queuePrefix: 'team-a', store: 'postgres://u:pw@db/x' });
    expect(hint).toBe("tubesum resume abc --store 'postgres://u:***@db/x' --queue 'redis://default:***@10.0.0.5:6379' --queue-prefix team-a");
  });
});
