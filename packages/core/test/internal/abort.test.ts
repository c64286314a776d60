import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError } from '../../src/errors.js';
import { sleep, withDeadline } from '../../src/internal/abort.js';

describe('withDeadline', () => {
  it('leaves no listener on the parent signal, whatever the outcome', async () => {
    const parent = new AbortController();
    for (let index = 0; index < 200; index += 1) {
      await expect(withDeadline(parent.signal, 1000, 'work', async () => index)).resolves.toBe(index);
      await expect(
        withDeadline(parent.signal, 1000, 'work', async () => {
          throw new Error(`boom ${index}`);
        }),
      ).rejects.toThrow(`boom ${index}`);
    }
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('turns running out of time into a retryable TIMEOUT and aborts the work', async () => {
    let seen: AbortSignal | undefined;
    const error = await withDeadline(new AbortController().signal, 20, 'Fetching x', ({ signal }) => {
      seen = signal;
      return sleep(10_000, signal);
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TubesumError);
    expect(error).toMatchObject({ code: ErrorCode.TIMEOUT, retryable: true, message: 'Fetching x took longer than 20 ms.' });
    expect(seen?.aborted).toBe(true);
  });

  it('rethrows the parent’s reason when the parent aborts', async () => {
    const parent = new AbortController();
    const reason = new TubesumError(ErrorCode.CANCELLED, 'stop');
    const running = withDeadline(parent.signal, 10_000, 'work', ({ signal }) => sleep(10_000, signal));
    parent.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});
