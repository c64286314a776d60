import { ErrorCode, TubesumError } from '../errors.js';

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What {@link withDeadline} hands to the work it runs. */
export interface DeadlineScope {
  signal: AbortSignal;
}

/**
 * Runs `work` with a signal that aborts when `parent` aborts or `timeoutMs` passes.
 * A timeout becomes a retryable `TIMEOUT` error; the parent's abort is rethrown as its reason.
 * Listeners and timers are always removed, so nothing leaks per call.
 */
export async function withDeadline<T>(parent: AbortSignal, timeoutMs: number, describe: string, work: (scope: DeadlineScope) => Promise<T>): Promise<T> {
  parent.throwIfAborted();
  const controller = new AbortController();
  // Made only when the time runs out: an error's stack trace is costly at 10,000 items.
  let timeoutError: TubesumError | undefined;
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => {
    timeoutError = new TubesumError(ErrorCode.TIMEOUT, `${describe} took longer than ${timeoutMs} ms.`);
    controller.abort(timeoutError);
  }, timeoutMs);
  try {
    return await work({ signal: controller.signal });
  } catch (error) {
    if (parent.aborted) throw parent.reason;
    if (timeoutError !== undefined && controller.signal.reason === timeoutError) throw timeoutError;
    throw error;
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParentAbort);
  }
}

/** `work`, or a rejection with `signal.reason` as soon as the signal aborts (even if `work` never settles). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
