/**
 * Runs async functions one after another per key, in call order, within this process.
 * Shared by every store built on the same Keyv, so their read-modify-write updates of one key
 * never interleave.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

const locksByOwner = new WeakMap<object, KeyedLock>();

/** The one lock of `owner` (a Keyv), shared by every store built on it. */
export function lockFor(owner: object): KeyedLock {
  let lock = locksByOwner.get(owner);
  if (lock === undefined) {
    lock = new KeyedLock();
    locksByOwner.set(owner, lock);
  }
  return lock;
}
