// Run in a child process (node's `fork`) by the multi-process cases of `describeBatchStore`: opens
// a store with the default export of the module the parent names, then runs the store methods the
// parent sends, each as soon as it arrives (or at the wall-clock time `at`, to start a race).
import { pathToFileURL } from 'node:url';
import type { BatchStore } from '../storage/batch-store.js';

/** A message from the parent. */
export type ParentMessage =
  { type: 'open'; id: number; module: string; argument: unknown } | { type: 'call'; id: number; method: string; args: unknown[]; at?: number };

/** The answer to one parent message. */
export type ChildMessage = { id: number; result?: unknown; error?: { message: string; code?: unknown } };

let store: BatchStore | undefined;

function reply(message: ChildMessage): void {
  process.send?.(message);
}

async function handle(message: ParentMessage): Promise<unknown> {
  if (message.type === 'open') {
    const url = /^[a-z][a-z\d+.-]*:/i.test(message.module) && !/^[a-z]:[\\/]/i.test(message.module) ? message.module : pathToFileURL(message.module).href;
    const opened = (await import(url)) as { default?: unknown };
    if (typeof opened.default !== 'function') throw new Error(`Expected ${message.module} to export a default function that opens the store`);
    store = (await (opened.default as (argument: unknown) => unknown)(message.argument)) as BatchStore;
    return store.coordination;
  }
  if (store === undefined) throw new Error('The store is not open');
  if (message.at !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, message.at! - Date.now())));
  const method = (store as unknown as Record<string, unknown>)[message.method];
  if (typeof method !== 'function') throw new Error(`The store has no method ${message.method}`);
  return (method as (...args: unknown[]) => unknown).apply(store, message.args);
}

process.on('message', (message: ParentMessage) => {
  handle(message).then(
    (result) => reply({ id: message.id, result }),
    (error: unknown) =>
      reply({
        id: message.id,
        error: { message: error instanceof Error ? error.message : String(error), code: (error as { code?: unknown } | null)?.code },
      }),
  );
});

// The parent went away (or stopped us): close the store and end, whatever is in flight.
process.once('disconnect', () => {
  const closing = store?.close?.() ?? Promise.resolve();
  closing.catch(() => undefined).finally(() => process.exit(0));
});
