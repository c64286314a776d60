import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFixture } from '../../core/test/support/shared-fixtures.js';

/** A recorded YouTube answer of ../shared/fixtures/youtube/ (never copied into this repository). */
function youtubeFixture(name: string): string {
  return sharedFixture(`youtube/${name}`);
}

/**
 * YouTube as the transcript source sees it, over TLS on 127.0.0.1: the player API and the caption
 * file answer with captured responses. Its certificate is for www.youtube.com, self-signed:
 * a client trusts it through `NODE_EXTRA_CA_CERTS=<certificate>`.
 */
export async function startFakeYouTube() {
  const folder = mkdtempSync(join(tmpdir(), 'tubesum-fake-youtube-'));
  const key = join(folder, 'key.pem');
  const certificate = join(folder, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      certificate,
      '-subj',
      '/CN=www.youtube.com',
      '-addext',
      'subjectAltName=DNS:www.youtube.com',
    ],
    { stdio: 'ignore' },
  );
  const paths: string[] = [];
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(certificate) }, (request, response) => {
    const path = new URL(request.url ?? '/', 'https://www.youtube.com').pathname;
    paths.push(path);
    request.resume();
    if (path === '/youtubei/v1/player') response.end(youtubeFixture('youtube.innertube.json'));
    else if (path === '/api/timedtext') response.end(youtubeFixture('transcript.xml'));
    else response.writeHead(404).end('Not Found');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    certificate,
    port: (server.address() as AddressInfo).port,
    /** Paths requested, in order. */
    paths,
    close: () => {
      server.closeAllConnections();
      server.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A CONNECT the proxy received. */
export interface SeenConnect {
  /** `host:port` the client asked for. */
  target: string;
  /** The `Proxy-Authorization` header, if any. */
  authorization: string | undefined;
}

/**
 * A small HTTP proxy on 127.0.0.1 that records every CONNECT and tunnels it to `upstreamPort`
 * on 127.0.0.1 whatever host was asked for (so `www.youtube.com:443` reaches the fake YouTube).
 */
export async function startConnectProxy(upstreamPort: number) {
  const connects: SeenConnect[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_request, response) => response.writeHead(405).end('CONNECT only'));
  server.on('connect', (request, client: Socket, head: Buffer) => {
    connects.push({ target: request.url ?? '', authorization: request.headers['proxy-authorization'] });
    sockets.add(client);
    const upstream = connect(upstreamPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    client.on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    connects,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
