interface Waiter {
  start: () => void;
  reject: (reason: unknown) => void;
}

/**
 * A concurrency limit shared by many groups (jobs) and fair between them: when a slot
 * frees, the next group in turn gets it, so a 500-item job cannot hold back a 3-item one.
 * Within a group, work starts in the order it was queued.
 */
export class FairLimiter {
  readonly #concurrency: number;
  #active = 0;
  #waiting = 0;
  /** Waiting work by group; the Map's order is the round-robin order of groups. */
  readonly #queues = new Map<string, Waiter[]>();

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  /** Work running now. */
  get active(): number {
    return this.#active;
  }

  /** Work waiting for a slot, over every group. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Runs `task` once a slot is free and it is `group`'s turn. */
  async run<T>(group: string, task: () => Promise<T>): Promise<T> {
    await this.#acquire(group);
    try {
      return await task();
    } finally {
      this.#active -= 1;
      this.#next();
    }
  }

  /** Rejects every waiting task of `group` with `reason`; running ones are left to their own signal. */
  cancel(group: string, reason: unknown): void {
    const queue = this.#queues.get(group);
    if (!queue) return;
    this.#queues.delete(group);
    this.#waiting -= queue.length;
    for (const waiter of queue) waiter.reject(reason);
  }

  #acquire(group: string): Promise<void> {
    if (this.#active < this.#concurrency && this.#waiting === 0) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((start, reject) => {
      const queue = this.#queues.get(group);
      if (queue) queue.push({ start, reject });
      else this.#queues.set(group, [{ start, reject }]);
      this.#waiting += 1;
    });
  }

  #next(): void {
    while (this.#active < this.#concurrency) {
      const first = this.#queues.entries().next();
      if (first.done) return;
      const [group, queue] = first.value;
      const waiter = queue.shift();
      // The group goes to the back of the rotation, or leaves it when it has nothing left.
      this.#queues.delete(group);
      if (queue.length > 0) this.#queues.set(group, queue);
      if (!waiter) continue;
      this.#waiting -= 1;
      this.#active += 1;
      waiter.start();
    }
  }
}
