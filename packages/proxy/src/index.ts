// The proxy setting the bot and the command line share. Private: each app's tsup build bundles it
// (`noExternal`), so their published dist never imports this package; `undici` and `@tubesum/core`
// stay the apps' own dependencies.

import { EnvHttpProxyAgent, ProxyAgent, fetch as undiciFetch } from 'undici';
import type { FetchFunction } from '@tubesum/core';

/** Where the proxy setting came from, for messages (`--proxy` is the command line's flag; the bot has none). */
export type ProxyOrigin = '--proxy' | 'TUBESUM_PROXY' | 'HTTPS_PROXY' | 'HTTP_PROXY';

/** The proxy YouTube requests go through. */
export interface ProxySetting {
  /** The proxy URL, credentials included: never print it, print {@link redactUrl}'s answer. */
  url: string;
  origin: ProxyOrigin;
  /** `NO_PROXY` (hosts that skip the proxy); only with the standard variables. */
  noProxy?: string;
}

/** The proxy variables tubesum reads (the lower-case spellings too, as curl does). */
export interface ProxyEnvironment {
  TUBESUM_PROXY?: string | undefined;
  HTTPS_PROXY?: string | undefined;
  https_proxy?: string | undefined;
  HTTP_PROXY?: string | undefined;
  http_proxy?: string | undefined;
  NO_PROXY?: string | undefined;
  no_proxy?: string | undefined;
}

const present = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/**
 * `flag` (the command line's `--proxy`), else `TUBESUM_PROXY`, else the standard `HTTPS_PROXY` (or
 * `HTTP_PROXY`) with `NO_PROXY`; undefined when none is set.
 */
export function resolveProxySetting(env: ProxyEnvironment, flag?: string): ProxySetting | undefined {
  const explicit = present(flag);
  if (explicit !== undefined) return { url: explicit, origin: '--proxy' };
  const tubesum = present(env.TUBESUM_PROXY);
  if (tubesum !== undefined) return { url: tubesum, origin: 'TUBESUM_PROXY' };
  const noProxy = present(env.NO_PROXY) ?? present(env.no_proxy);
  const https = present(env.HTTPS_PROXY) ?? present(env.https_proxy);
  const http = present(env.HTTP_PROXY) ?? present(env.http_proxy);
  const standard =
    https === undefined ? (http === undefined ? undefined : { url: http, origin: 'HTTP_PROXY' as const }) : { url: https, origin: 'HTTPS_PROXY' as const };
  if (standard === undefined) return undefined;
  return noProxy === undefined ? standard : { ...standard, noProxy };
}

/** `http://user:secret@proxy:8080` -> `http://user:***@proxy:8080`: a proxy's credentials are never shown. */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL: show it only when it cannot hold credentials.
    return value.includes('@') ? '(a value that is not shown)' : value;
  }
  if (url.password !== '') url.password = '***';
  else if (url.username !== '') url.username = '***';
  // `user:secret@host` without a scheme parses as a URL of scheme `user:`: no credentials seen, but there are.
  else if (value.includes('@')) return '(a value that is not shown)';
  return url.href.replace(/\/$/, '');
}

/** What the person is told about the proxy in use: where it came from, never its password. */
export function proxyNotice(setting: ProxySetting): string {
  const except = setting.noProxy === undefined ? '' : ` Not for the NO_PROXY hosts: ${setting.noProxy}.`;
  return `YouTube requests go through the proxy ${redactUrl(setting.url)} (${setting.origin}).${except}`;
}

/** Why `value` cannot be a proxy URL, or undefined when it can. */
export function proxyUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'an http(s) URL such as `http://user:password@proxy.example:8080`';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'an http(s) URL such as `http://user:password@proxy.example:8080` (SOCKS proxies are not supported)';
  }
  return undefined;
}

/**
 * A `fetch` whose requests go through the proxy: undici's `ProxyAgent` (an HTTP CONNECT
 * tunnel for https URLs), or its `EnvHttpProxyAgent` for the standard variables so `NO_PROXY`
 * is honoured. For `YouTubeTranscriptSource`'s `fetch` option.
 */
export function createProxyFetch(setting: ProxySetting): FetchFunction {
  const dispatcher =
    setting.origin === 'HTTPS_PROXY' || setting.origin === 'HTTP_PROXY'
      ? new EnvHttpProxyAgent({ httpProxy: setting.url, httpsProxy: setting.url, ...(setting.noProxy === undefined ? {} : { noProxy: setting.noProxy }) })
      : new ProxyAgent(setting.url);
  // undici's own fetch with its own dispatcher: Node's bundled undici may be another version.
  // Its Request/Response types are undici's; at run time they are the same WHATWG objects.
  return (input, init) => {
    // A Request of Node's own fetch is not one of undici's: hand its URL over (the transcript source passes strings).
    const url = input instanceof Request ? input.url : input;
    return undiciFetch(url, { ...init, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  };
}
