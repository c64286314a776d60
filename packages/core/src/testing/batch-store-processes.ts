import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from './batch-store-process.js';

/** How the multi-process cases of `describeBatchStore` open the store in each child process. */
export interface MultiProcessOptions {
  /**
   * A module (absolute path or `file:` URL) whose default export opens a store on the same backend
   * as the suite's factory: `(argument) => BatchStore | Promise<BatchStore>`. Each child process
   * imports it and calls it once.
   */
  module: string | URL;
  /**
   * A JSON value handed to that function in every child: the database URL, namespace, table…
   * @default undefined
   */
  argument?: unknown;
  /**
   * Node options of the child processes.
   * @default ['--import', 'tsx'] when `module` ends with `.ts` (tsx must be installed), else []
   */
  execArgv?: string[] | undefined;
}

/** The runner next to this file: TypeScript in this repository's sources, JavaScript once built. */
const runner = new URL(`./batch-store-process${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** A store opened in a child process, driven over IPC. */
export class StoreProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: ChildMessage) => {
      const waiting = this.#pending.get(message.id);
      if (waiting === undefined) return;
      this.#pending.delete(message.id);
      if (message.error === undefined) waiting.resolve(message.result);
      else waiting.reject(Object.assign(new Error(`In child process ${child.pid}: ${message.error.message}`), { code: message.error.code }));
    });
    child.once('exit', (code, signal) => {
      for (const waiting of this.#pending.values()) waiting.reject(new Error(`Child process ${child.pid} ended (${signal ?? code})`));
      this.#pending.clear();
    });
  }

  /** Starts a child and opens the store in it. */
  static async start(options: MultiProcessOptions): Promise<StoreProcess> {
    const module = options.module instanceof URL ? options.module.href : options.module;
    const typescript = runner.pathname.endsWith('.ts') || /\.[cm]?ts$/.test(module);
    const execArgv = options.execArgv ?? (typescript ? ['--import', 'tsx'] : []);
    const child = fork(fileURLToPath(runner), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const started = new StoreProcess(child);
    try {
      await started.#send({ type: 'open', id: started.#nextId++, module, argument: options.argument });
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }

  /** Runs `store[method](...args)` in the child, at the wall-clock time `at` when given. */
  call<T>(method: string, args: unknown[], at?: number): Promise<T> {
    return this.#send({ type: 'call', id: this.#nextId++, method, args, ...(at === undefined ? {} : { at }) }) as Promise<T>;
  }

  /** Disconnects: the child closes its store and exits. Resolves when it has. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    if (this.#child.connected) this.#child.disconnect();
    else this.#child.kill();
    await exited;
  }

  #send(message: ParentMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.set(message.id, { resolve, reject });
      this.#child.send(message, (error) => {
        if (error === null) return;
        this.#pending.delete(message.id);
        reject(error);
      });
    });
  }
}
