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

/**
 * A TCP relay on 127.0.0.1 to a real local server that a test can cut and restore, to play an
 * outage, or hold, to play a server that stops answering: requests still pass, replies wait.
 */
export class Relay {
  readonly #upstreamPort: number;
  readonly #sockets = new Set<Socket>();
  /** The relay's connections to the server, whose replies {@link holdRepliesAfter} stops. */
  readonly #upstreams = new Set<Socket>();
  #server: Server | undefined;
  /** Bytes of replies passed on since the last {@link holdRepliesAfter}. */
  #passed = 0;
  #holdAt = Number.POSITIVE_INFINITY;
  #holding = false;
  #onHold: (() => void) | undefined;
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
      this.#upstreams.add(upstream);
      upstream.on('close', () => this.#upstreams.delete(upstream));
      if (this.#holding) upstream.pause();
      client.pipe(upstream);
      upstream.on('end', () => client.end());
      upstream.on('data', (chunk: Buffer) => {
        if (!client.write(chunk)) {
          upstream.pause();
          client.once('drain', () => this.#holding || upstream.resume());
        }
        this.#passed += chunk.length;
        if (this.#passed >= this.#holdAt && !this.#holding) this.#hold();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /**
   * Passes `bytes` more of the server's replies on (counted over every connection, whole chunks),
   * then holds the rest until {@link release}: the client's requests still reach the server, but it
   * seems to stop answering. Resolves once it holds.
   */
  holdRepliesAfter(bytes: number): Promise<void> {
    this.#passed = 0;
    this.#holdAt = bytes;
    return new Promise((resolve) => (this.#onHold = resolve));
  }

  /** Passes on the replies held, and every later one. */
  release(): void {
    this.#holding = false;
    this.#holdAt = Number.POSITIVE_INFINITY;
    for (const upstream of this.#upstreams) upstream.resume();
  }

  #hold(): void {
    this.#holding = true;
    for (const upstream of this.#upstreams) upstream.pause();
    this.#onHold?.();
    this.#onHold = undefined;
  }

  /** Closes every connection and stops listening: connecting again is refused. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
