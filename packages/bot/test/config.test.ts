import { DEFAULT_ANTHROPIC_MODEL, isTubesumError } from '@tubesum/core';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

const base = { DISCORD_TOKEN: 'secret-token-value', DISCORD_APPLICATION_ID: '1100000000000000001' };

function errorOf(env: Record<string, string | undefined>): Error {
  try {
    loadConfig(env);
  } catch (error) {
    return error as Error;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig', () => {
  it('applies defaults and leaves the summarizer unset when none is configured', () => {
    const config = loadConfig(base);
    expect(config.discord).toEqual({
      token: 'secret-token-value',
      applicationId: '1100000000000000001',
      guildId: undefined,
      apiUrl: undefined,
      shards: 'auto',
    });
    expect(config.store).toBe('sqlite://.tubesum/bot.sqlite');
    expect(config.summarizer).toBeUndefined();
    expect(config.limits.maxUrlsPerBatch).toBe(100);
    expect(config.progress).toEqual({ editIntervalMs: 2500, interactionTokenLifetimeMs: 840_000 });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...base,
      DISCORD_GUILD_ID: '1200000000000000001',
      DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      TUBESUM_STORE: 'memory://',
      ANTHROPIC_API_KEY: 'sk-ant',
      ANTHROPIC_MODEL: 'claude-haiku-4-5, claude-sonnet-4-6',
      TUBESUM_MAX_URLS_PER_BATCH: '5',
      TUBESUM_MAX_RUNNING_BATCHES_PER_USER: '1',
      TUBESUM_EDIT_INTERVAL_MS: '200',
      TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '1000',
    });
    expect(config.discord.apiUrl).toBe('http://127.0.0.1:9999/api');
    expect(config.discord.guildId).toBe('1200000000000000001');
    expect(config.summarizer).toEqual({
      kind: 'anthropic',
      apiKey: 'sk-ant',
      models: ['claude-haiku-4-5', 'claude-sonnet-4-6'],
      batch: 'off',
      batchMinVideos: 20,
    });
    expect(config.limits.maxUrlsPerBatch).toBe(5);
    expect(config.limits.maxRunningBatchesPerUser).toBe(1);
    expect(config.progress).toEqual({ editIntervalMs: 200, interactionTokenLifetimeMs: 1000 });
  });

  it('picks the offline and OpenAI-compatible summarizers', () => {
    expect(loadConfig({ ...base, TUBESUM_SUMMARIZER: 'offline' }).summarizer).toEqual({
      kind: 'offline',
      models: ['extractive'],
    });
    expect(
      loadConfig({ ...base, OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_MODEL: 'llama3.1:8b', OPENAI_CONTEXT_TOKENS: '8192' }).summarizer,
    ).toEqual({
      kind: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
      models: ['llama3.1:8b'],
      contextTokens: 8192,
    });
  });

  it('names every missing or wrong variable and never echoes the token', () => {
    const error = errorOf({ DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: 'abc', TUBESUM_MAX_URLS_PER_BATCH: '0', DISCORD_API_URL: 'ftp://x' });
    expect(isTubesumError(error, 'INVALID_OPTIONS')).toBe(true);
    expect(error.message).toMatch(/`DISCORD_TOKEN`.*got nothing/);
    expect(error.message).toMatch(/`DISCORD_APPLICATION_ID`.*got `abc`/);
    expect(error.message).toMatch(/`TUBESUM_MAX_URLS_PER_BATCH`.*positive integer.*got `0`/);
    expect(error.message).toMatch(/`DISCORD_API_URL`.*got `ftp:\/\/x`/);

    const withToken = errorOf({ ...base, DISCORD_APPLICATION_ID: '12', ANTHROPIC_API_KEY: ' ', TUBESUM_SUMMARIZER: 'anthropic' });
    expect(withToken.message).not.toContain('secret-token-value');
  });

  it('reads the shard count: auto (Discord says how many) or a number', () => {
    expect(loadConfig({ ...base, TUBESUM_SHARDS: 'auto' }).discord.shards).toBe('auto');
    expect(loadConfig({ ...base, TUBESUM_SHARDS: ' 4 ' }).discord.shards).toBe(4);
    for (const wrong of ['0', 'two', '-1', '4097', '1.5']) {
      expect(errorOf({ ...base, TUBESUM_SHARDS: wrong }).message).toContain(
        `Expected \`TUBESUM_SHARDS\` to be \`auto\` or a number of gateway shards from 1 to 4096, got \`${wrong}\`.`,
      );
    }
  });

  it('reads worker mode (TUBESUM_QUEUE_URL) and refuses a store the workers cannot reach, never showing a password', () => {
    expect(loadConfig(base).queue).toBeUndefined();
    const config = loadConfig({ ...base, TUBESUM_QUEUE_URL: 'redis://:pw@10.0.0.5:6379', TUBESUM_STORE: 'postgres://u:p@db/tubesum' });
    expect(config.queue).toEqual({ url: 'redis://:pw@10.0.0.5:6379', prefix: 'tubesum' });
    expect(loadConfig({ ...base, TUBESUM_QUEUE_URL: 'rediss://h:6380', TUBESUM_STORE: 'redis://h', TUBESUM_QUEUE_PREFIX: 'ts-1' }).queue?.prefix).toBe('ts-1');

    for (const store of [undefined, 'memory://', 'sqlite://bot.sqlite', './bot.sqlite']) {
      const error = errorOf({ ...base, TUBESUM_QUEUE_URL: 'redis://:hunter2@h:6379', ...(store === undefined ? {} : { TUBESUM_STORE: store }) });
      expect(isTubesumError(error, 'INVALID_OPTIONS')).toBe(true);
      expect(error.message).toContain(
        'Expected `TUBESUM_STORE` to be a store the workers reach too (redis://… or postgres://…) because `TUBESUM_QUEUE_URL` is set',
      );
      expect(error.message).toContain(store === undefined ? 'got nothing (the default is `sqlite://.tubesum/bot.sqlite`)' : `got \`${store}\``);
      expect(error.message).not.toContain('hunter2');
    }
    const wrong = errorOf({ ...base, TUBESUM_QUEUE_URL: 'http://:hunter2@h:6379', TUBESUM_QUEUE_PREFIX: 'a:b' });
    expect(wrong.message).toContain('Expected `TUBESUM_QUEUE_URL` to be a Redis URL such as redis://127.0.0.1:6379');
    expect(wrong.message).toContain('got `http://:***@h:6379`');
    expect(wrong.message).toMatch(/`TUBESUM_QUEUE_PREFIX`.*letters, digits.*got `a:b`/);
    expect(wrong.message).not.toContain('hunter2');
  });

  it('requires the settings of the chosen summarizer', () => {
    expect(errorOf({ ...base, TUBESUM_SUMMARIZER: 'anthropic' }).message).toMatch(/`ANTHROPIC_API_KEY`/);
    const openai = errorOf({ ...base, TUBESUM_SUMMARIZER: 'openai' });
    expect(openai.message).toMatch(/`OPENAI_BASE_URL`/);
    expect(openai.message).toMatch(/`OPENAI_MODEL`/);
    expect(openai.message).toMatch(/`OPENAI_CONTEXT_TOKENS`/);
    expect(errorOf({ ...base, TUBESUM_SUMMARIZER: 'magic' }).message).toMatch(/`TUBESUM_SUMMARIZER`.*offline, anthropic, openai.*`magic`/);
  });

  it('names each wrong variable, and hides the token and keys whatever else is wrong', () => {
    const numeric = Object.keys(CONFIG_VARIABLES).filter((name) => /^TUBESUM_(MAX|ATTACHMENT|TRANSCRIPT_CONCURRENCY|SUMMARY|EDIT|INTERACTION)/.test(name));
    expect(numeric.length).toBeGreaterThanOrEqual(8);
    for (const name of numeric) {
      const error = errorOf({ ...base, [name]: '12abc' });
      expect(error.message).toContain(`Expected \`${name}\` to be a positive integer`);
      expect(error.message).toContain('got `12abc`');
      expect(error.message).not.toContain('secret-token-value');
    }
    const everything = errorOf({
      DISCORD_TOKEN: 'secret-token-value',
      DISCORD_APPLICATION_ID: 'secret-token-value',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
      TUBESUM_SUMMARIZER: 'openai',
      OPENAI_API_KEY: 'sk-openai-secret',
    });
    // A token or key pasted into the wrong variable is not echoed either.
    expect(everything.message).toMatch(/`DISCORD_APPLICATION_ID`.*got a value that looks like a token or key \(hidden\)/);
    expect(everything.message).not.toContain('secret-token-value');
    expect(everything.message).not.toContain('sk-ant-secret');
    expect(everything.message).not.toContain('sk-openai-secret');
    const shaped = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.GabcdE.abcdefghijklmnopqrstuvwxyz0123';
    const misplaced = errorOf({ DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: shaped });
    expect(misplaced.message).not.toContain(shaped);
    expect(misplaced.message).toMatch(/`DISCORD_TOKEN`.*got nothing/);
  });

  it('reads the Message Batches switch, its threshold and tuning, and refuses it without Anthropic', () => {
    const anthropic = { ...base, ANTHROPIC_API_KEY: 'sk-ant-key' };
    expect(loadConfig(anthropic).summarizer).toMatchObject({ kind: 'anthropic', batch: 'off', batchMinVideos: 20 });
    expect(
      loadConfig({
        ...anthropic,
        TUBESUM_ANTHROPIC_BATCH: 'auto',
        TUBESUM_ANTHROPIC_BATCH_MIN_VIDEOS: '50',
        TUBESUM_BATCH_WINDOW_MS: '1000',
        TUBESUM_BATCH_POLL_MS: '500',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/',
      }).summarizer,
    ).toMatchObject({ batch: 'auto', batchMinVideos: 50, batchWindowMs: 1000, batchPollMs: 500, baseUrl: 'http://127.0.0.1:9/' });
    expect(errorOf({ ...anthropic, TUBESUM_ANTHROPIC_BATCH: 'sometimes' }).message).toContain('Expected `TUBESUM_ANTHROPIC_BATCH` to be one of off, on, auto');
    expect(errorOf({ ...base, TUBESUM_SUMMARIZER: 'offline', TUBESUM_ANTHROPIC_BATCH: 'on' }).message).toContain(
      'Expected `TUBESUM_ANTHROPIC_BATCH` to be `off` or unset without the Anthropic summarizer',
    );
  });

  it('.env.example documents every variable the bot reads, and no other', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(CONFIG_VARIABLES)));
  });

  it('reads the transcript languages, the any-language switch and the proxy, never showing its password', () => {
    const config = loadConfig({
      ...base,
      TUBESUM_TRANSCRIPT_LANGUAGES: 'es, pt-BR,es',
      TUBESUM_ANY_TRANSCRIPT_LANGUAGE: 'yes',
      TUBESUM_PROXY: 'http://bot:pw@proxy:8080',
    });
    expect(config.transcriptLanguages).toEqual(['es', 'pt-BR']);
    expect(config.anyTranscriptLanguage).toBe(true);
    expect(config.proxy).toEqual({ url: 'http://bot:pw@proxy:8080', origin: 'TUBESUM_PROXY' });
    expect(loadConfig(base)).toMatchObject({ transcriptLanguages: undefined, anyTranscriptLanguage: false, proxy: undefined });
    expect(loadConfig({ ...base, HTTPS_PROXY: 'http://corp:3128', NO_PROXY: 'discord.com' }).proxy).toEqual({
      url: 'http://corp:3128',
      origin: 'HTTPS_PROXY',
      noProxy: 'discord.com',
    });
    expect(errorOf({ ...base, TUBESUM_TRANSCRIPT_LANGUAGES: 'english!' }).message).toContain(
      'Expected `TUBESUM_TRANSCRIPT_LANGUAGES` to be a comma-separated list',
    );
    expect(errorOf({ ...base, TUBESUM_ANY_TRANSCRIPT_LANGUAGE: 'maybe' }).message).toContain(
      'Expected `TUBESUM_ANY_TRANSCRIPT_LANGUAGE` to be one of true, false',
    );
    const proxy = errorOf({ ...base, TUBESUM_PROXY: 'socks5://bot:pw-secret@proxy:1080' });
    expect(proxy.message).toContain('Expected `TUBESUM_PROXY` to be an http(s) URL');
    expect(proxy.message).toContain('got `socks5://bot:***@proxy:1080`');
    expect(proxy.message).not.toContain('pw-secret');
  });

  it("offers core's default Anthropic model when ANTHROPIC_MODEL is not set", () => {
    expect(loadConfig({ ...base, ANTHROPIC_API_KEY: 'sk' }).summarizer?.models).toEqual([DEFAULT_ANTHROPIC_MODEL]);
  });

  it('.env.example copied as is runs the offline summarizer', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]));
    expect(loadConfig({ ...env, ...base }).summarizer).toEqual({ kind: 'offline', models: ['extractive'] });
  });
});
