/**
 * Promises that resolve once a condition on a fake's state holds: `until(() => requests.length >= 3)`.
 * The fake calls `notify()` after each change of its state; every pending condition is checked again.
 */
export interface Conditions {
  until(condition: () => boolean): Promise<void>;
  notify(): void;
}

/** The waiters of one fake server (the fake LLM servers, the fake Message Batches API). */
export function createConditions(): Conditions {
  const waiters = new Set<() => void>();
  return {
    until: (condition) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (condition()) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
    notify: () => {
      for (const waiter of [...waiters]) waiter();
    },
  };
}
