import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyFetch } from '@tubesum/proxy';
import { startConnectProxy, startFakeYouTube } from './connect-proxy.js';
import { runCli, tempHome } from './run-cli.js';
import { skipWithoutSharedFixtures } from '../../core/test/support/shared-fixtures.js';

const VIDEO = 'https://youtu.be/GJLlxj_dtq8';
const SECRET = 's3cret-Pa55';

describe.skipIf(skipWithoutSharedFixtures('the proxy tests (recorded YouTube answers)'))(
  'YouTube through a proxy (a real CONNECT tunnel to a TLS fake of YouTube)',
  () => {
    const { home } = tempHome();
    let youtube: Awaited<ReturnType<typeof startFakeYouTube>>;
    let proxy: Awaited<ReturnType<typeof startConnectProxy>>;

    beforeAll(async () => {
      youtube = await startFakeYouTube();
      proxy = await startConnectProxy(youtube.port);
    });
    afterAll(() => {
      proxy.close();
      youtube.close();
    });

    async function summarizedTitle(zipPath: string): Promise<string | undefined> {
      const zip = await JSZip.loadAsync(await readFile(zipPath));
      const [file] = Object.keys(zip.files).filter((name) => name.startsWith('summaries/') && name.endsWith('.md'));
      const markdown = await zip.file(file!)!.async('string');
      return /^title: "(.*)"$/m.exec(markdown)?.[1];
    }

    it.each([
      ['--proxy', (url: string) => ({ args: ['--proxy', url], env: {} })],
      ['TUBESUM_PROXY', (url: string) => ({ args: [], env: { TUBESUM_PROXY: url } })],
      ['HTTPS_PROXY', (url: string) => ({ args: [], env: { HTTPS_PROXY: url, NO_PROXY: 'localhost,example.org' } })],
    ])('sends every YouTube request through the proxy given by %s, with its credentials, and never prints them', async (name, given) => {
      const before = proxy.connects.length;
      const out = join(home, `${name}.zip`);
      const { args, env } = given(`http://tubesum:${SECRET}@127.0.0.1:${proxy.port}`);
      // A store per case: a transcript cached by an earlier case would not be fetched again.
      const result = await runCli(['run', VIDEO, '--offline', '--out', out, ...args], {
        home,
        store: join(home, `${name}.sqlite`),
        env: { ...env, NODE_EXTRA_CA_CERTS: youtube.certificate },
      });
      expect(result.code, result.stderr).toBe(0);
      const connects = proxy.connects.slice(before);
      expect(connects.length).toBeGreaterThanOrEqual(1);
      expect(connects.every((seen) => seen.target === 'www.youtube.com:443')).toBe(true);
      expect(connects[0]?.authorization).toBe(`Basic ${Buffer.from(`tubesum:${SECRET}`).toString('base64')}`);
      expect(await summarizedTitle(out)).toBe('Surface Go Review - It’s Awesome');
      expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
      expect(result.stderr).toContain(`YouTube requests go through the proxy http://tubesum:***@127.0.0.1:${proxy.port} (${name}).`);
      if (name === 'HTTPS_PROXY') expect(result.stderr).toContain('Not for the NO_PROXY hosts: localhost,example.org.');
    });

    it('fails a video without a transcript in the wanted languages, unless --any-transcript-language', async () => {
      const env = { TUBESUM_PROXY: `http://127.0.0.1:${proxy.port}`, NODE_EXTRA_CA_CERTS: youtube.certificate };
      const args = ['run', VIDEO, '--offline', '--transcript-languages', 'zu'];
      const strict = await runCli([...args, '--out', join(home, 'zu.zip')], { home, store: join(home, 'zu.sqlite'), env });
      expect(strict.code).toBe(1);
      expect(strict.stdout).toMatch(/failed\s+GJLlxj_dtq8\s+NO_TRANSCRIPT_IN_LANGUAGE: /);
      const any = await runCli([...args, '--any-transcript-language', '--out', join(home, 'any.zip')], { home, store: join(home, 'any.sqlite'), env });
      expect(any.code, any.stderr).toBe(0);
      expect(await summarizedTitle(join(home, 'any.zip'))).toBe('Surface Go Review - It’s Awesome');
    });

    it('honours NO_PROXY with the standard variables', async () => {
      const target = createServer((_request, response) => response.end('direct'));
      target.listen(0, '127.0.0.1');
      await once(target, 'listening');
      const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
      try {
        const before = proxy.connects.length;
        // Through the proxy: it tunnels to the fake YouTube, which does not speak plain HTTP, so the fetch fails.
        const viaProxy = createProxyFetch({ url: `http://127.0.0.1:${proxy.port}`, origin: 'HTTP_PROXY' });
        await expect(viaProxy(url)).rejects.toThrow();
        expect(proxy.connects.slice(before).map((seen) => seen.target)).toEqual([new URL(url).host]);
        const bypassing = createProxyFetch({ url: `http://127.0.0.1:${proxy.port}`, origin: 'HTTP_PROXY', noProxy: 'localhost,127.0.0.1' });
        expect(await (await bypassing(url)).text()).toBe('direct');
        expect(proxy.connects.length).toBe(before + 1);
      } finally {
        target.close();
      }
    });
  },
);
