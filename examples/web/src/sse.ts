/**
 * Server-Sent Events over `fetch`, because `EventSource` cannot send an `Authorization` header.
 * `followEvents` reconnects on its own: each (re)connection starts with the server's `snapshot`
 * event, and the caller reloads the full state then, so a dropped connection catches up.
 */

/** One event as the server wrote it. */
export interface ServerEvent {
  name: string;
  data: unknown;
}

/** Parses a `text/event-stream` body, calling `onEvent` per event, until it ends. */
export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (event: ServerEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onEvent({ name, data: JSON.parse(data.join('\n')) as unknown });
    }
  }
}

/** Options of {@link followEvents}. */
export interface FollowOptions {
  url: string;
  token: string;
  /** Called on every event, `snapshot` first after each (re)connection. */
  onEvent: (event: ServerEvent) => void;
  /** Called with a human text when the connection drops or comes back. */
  onConnection: (state: 'open' | 'retrying' | 'closed') => void;
  /** Called after each stream ends: return true when the batch is over and no reconnection is wanted. */
  isOver: () => boolean;
  /**
   * Wait before a reconnection, doubled after each failure in a row.
   * @default 500
   */
  retryMs?: number;
}

/** Follows a batch's event stream until `isOver()` or `stop()`; returns `stop`. */
export function followEvents({ url, token, onEvent, onConnection, isOver, retryMs = 500 }: FollowOptions): () => void {
  const controller = new AbortController();
  let failures = 0;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
        if (response.status === 401 || response.status === 404) return onConnection('closed'); // retrying cannot help
        if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
        onConnection('open');
        failures = 0;
        await readEventStream(response.body, onEvent);
      } catch {
        if (controller.signal.aborted) return;
        failures += 1;
      }
      if (isOver()) return onConnection('closed');
      onConnection('retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryMs * 2 ** Math.min(failures, 5), 10_000)));
    }
  };
  void run();
  return () => controller.abort();
}
