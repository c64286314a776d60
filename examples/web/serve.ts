/**
 * Serves the batch page (examples/web) next to the API: `index.html`, `style.css` and `app.js`,
 * the last bundled from `app.ts` by esbuild on first request and kept in memory. The page holds
 * no secret, so these routes need no token; every API route still does.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** Nothing external, no inline script: titles from YouTube are hostile, the policy is a second wall. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

let bundle: Promise<string> | undefined;

/** The page's script: app.ts and the SDK's browser-safe intake (`parseUrlList`), one ES module. */
export function bundleApp(): Promise<string> {
  bundle ??= build({
    entryPoints: [here('./src/app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  bundle.catch(() => (bundle = undefined)); // a failed build is retried on the next request
  return bundle;
}

const FILES: Record<string, { type: string; load: () => Promise<string | Buffer> }> = {
  '/': { type: 'text/html; charset=utf-8', load: () => readFile(here('./index.html')) },
  '/index.html': { type: 'text/html; charset=utf-8', load: () => readFile(here('./index.html')) },
  '/style.css': { type: 'text/css; charset=utf-8', load: () => readFile(here('./style.css')) },
  '/app.js': { type: 'text/javascript; charset=utf-8', load: bundleApp },
};

/** Answers a GET of one of the page's files and returns true; returns false for anything else. */
export async function serveWeb(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const file = FILES[new URL(request.url ?? '/', 'http://localhost').pathname];
  if (file === undefined) return false;
  const body = await file.load();
  response.writeHead(200, { 'content-type': file.type, ...SECURITY_HEADERS });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
