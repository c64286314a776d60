import { KeyvPostgres } from '@keyv/postgres';
import { afterAll } from 'vitest';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** True when something accepts TCP connections at `host:port` within `timeoutMs`. */
function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether to skip the suite of a server-backed store. When the server is down: in CI
 * (`CI=true`) the suite runs anyway and fails on the connection, since the servers are required
 * there; elsewhere it is skipped with a visible notice.
 */
export async function skipUnlessReachable(service: string, url: string, suite = 'its BatchStore conformance suite'): Promise<boolean> {
  const { hostname, port } = new URL(url);
  if (await isListening(hostname, Number(port))) return false;
  if (process.env.CI === 'true') return false;
  console.warn(
    `\n⚠ ${service} is not reachable at ${hostname}:${port}: ${suite} is SKIPPED on this machine ` +
      `(it is required, and fails, when CI=true; .ci/run starts the server).\n`,
  );
  return true;
}

/** The PostgreSQL test database (trust auth, database `test`). */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A table name of its own for this run, dropped after the file's tests (unless they are skipped). */
export function temporaryPostgresTable(prefix: string, skip: boolean): string {
  const table = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  afterAll(async () => {
    if (skip) return;
    const adapter = new KeyvPostgres({ uri: POSTGRES_URL, table });
    await adapter.query(`DROP TABLE IF EXISTS ${table}`);
    await adapter.disconnect();
  });
  return table;
}

/** A TCP relay on 127.0.0.1 to a real local server that a test can cut and restore, to play an outage. */
export class Relay {
  readonly #upstreamPort: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  /** The relay's own port: chosen on the first start, kept on later ones. */
  port = 0;

  constructor(upstreamPort: number) {
    this.#upstreamPort = upstreamPort;
  }

  /** Listens (again) on {@link port}; nothing when already listening. */
  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((client) => {
      const upstream = connect(this.#upstreamPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.#sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Closes every connection and stops listening: connecting again is refused. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
