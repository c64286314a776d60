import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig, resumeHint } from '../src/config.js';
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
    expect(resolveRunConfig({}, { ANTHROPIC_API_KEY: '  ' }, ROOT).summarizer).toMatchObject({ kind: 'extractive', notice: expect.stringContaining('ANTHROPIC_API_KEY') });
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
