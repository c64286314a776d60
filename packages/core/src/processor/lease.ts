import { performance } from 'node:perf_hooks';
import { ErrorCode, TubesumError } from '../errors.js';
import type { StoredJobs } from './stored-jobs.js';

export interface LeaseOptions {
  stored: StoredJobs;
  jobId: string;
  owner: string;
  leaseMs: number;
  pollIntervalMs: number;
  /** Another process asked for the job to be cancelled. */
  onCancelRequested: () => void;
  /** This process no longer owns the job, or cannot prove it does before the lease could expire. */
  onLost: (error: TubesumError) => void;
}

/**
 * Keeps a claimed job's lease alive while its run works: renews it every third of its length,
 * and looks for cancel requests from other processes every `pollIntervalMs`.
 *
 * Safety rule: the owner stops (`onLost`) once two thirds of the lease have passed since the last
 * renewal the store confirmed, measured on this process's monotonic clock from the moment that
 * renewal was *sent*. The store measures the lease with its own clock from the moment it *received*
 * the renewal, which is later, so the owner always stops before any other process can claim the job;
 * clock skew between machines plays no part.
 */
export class Lease {
  readonly #options: LeaseOptions;
  #confirmedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #busy = false;
  #lost = false;
  #cancelSeen = false;

  constructor(options: LeaseOptions) {
    this.#options = options;
  }

  start(): void {
    this.#confirmedAt = performance.now();
    this.#timer = setInterval(() => this.#onTick(), this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  /** Stops renewing and polling; waits for a call in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#tick;
  }

  /** Gives the lease up so another process may resume the job at once; a failure only delays that until it expires. */
  async release(): Promise<void> {
    if (this.#lost) return;
    const { stored, jobId, owner } = this.#options;
    await stored.call('release the batch', (store) => store.releaseJob(jobId, owner)).catch(() => undefined);
  }

  #onTick(): void {
    const { leaseMs } = this.#options;
    if (this.#lost) return;
    if (performance.now() - this.#confirmedAt > (leaseMs * 2) / 3) {
      this.#lose(
        new TubesumError(
          ErrorCode.STORAGE_ERROR,
          `Could not renew the lease of batch ${this.#options.jobId} in time; stopping so that no two processes run it.`,
        ),
      );
      return;
    }
    if (this.#busy) return;
    this.#busy = true;
    this.#tick = this.#check().finally(() => {
      this.#busy = false;
    });
  }

  async #check(): Promise<void> {
    const { stored, jobId, owner, leaseMs } = this.#options;
    if (performance.now() - this.#confirmedAt >= leaseMs / 3) {
      const sentAt = performance.now();
      try {
        const held = await stored.call('renew the lease of a batch', (store) => store.renewJob(jobId, owner, leaseMs));
        if (!held) {
          this.#lose(new TubesumError(ErrorCode.CANCELLED, `Batch ${jobId} is now run by another process.`));
          return;
        }
        this.#confirmedAt = sentAt;
      } catch {
        // The next tick tries again; the deadline check stops the run before the lease can expire.
        return;
      }
    }
    if (this.#cancelSeen) return;
    try {
      if (await stored.call('read a cancel request', (store) => store.isCancelRequested(jobId))) {
        this.#cancelSeen = true;
        this.#options.onCancelRequested();
      }
    } catch {
      // Looked for again on the next tick.
    }
  }

  #lose(error: TubesumError): void {
    if (this.#lost) return;
    this.#lost = true;
    clearInterval(this.#timer);
    this.#options.onLost(error);
  }
}
