import { describe, expect, it } from 'vitest';
import { FairLimiter } from '../../src/internal/fair-limiter.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FairLimiter', () => {
  it('never runs more than its limit', async () => {
    const limiter = new FairLimiter(3);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, () =>
        limiter.run('a', async () => {
          running += 1;
          most = Math.max(most, running);
          await tick();
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(limiter.active).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('takes turns between groups, in order within a group', async () => {
    const limiter = new FairLimiter(1);
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(name);
      await tick();
    };
    const all = [
      ...['a1', 'a2', 'a3', 'a4'].map((name) => limiter.run('a', task(name))),
      ...['b1', 'b2'].map((name) => limiter.run('b', task(name))),
      limiter.run('c', task('c1')),
    ];
    await Promise.all(all);
    expect(order).toEqual(['a1', 'a2', 'b1', 'c1', 'a3', 'b2', 'a4']);
  });

  it('cancel() rejects the waiting work of one group only', async () => {
    const limiter = new FairLimiter(1);
    let release: () => void = () => {};
    const first = limiter.run('a', () => new Promise<void>((resolve) => (release = resolve)));
    const waitingA = limiter.run('a', async () => 'a');
    const waitingB = limiter.run('b', async () => 'b');
    const reason = new Error('cancelled');
    limiter.cancel('a', reason);
    await expect(waitingA).rejects.toBe(reason);
    release();
    await first;
    await expect(waitingB).resolves.toBe('b');
    expect(limiter.waiting).toBe(0);
  });

  it('cancel() of a group with nothing waiting changes nothing', async () => {
    const limiter = new FairLimiter(1);
    let release: () => void = () => {};
    const running = limiter.run('a', () => new Promise<void>((resolve) => (release = resolve)));
    const waiting = limiter.run('a', async () => 'a');
    limiter.cancel('b', new Error('not this one'));
    expect([limiter.active, limiter.waiting]).toEqual([1, 1]);
    await tick();
    release();
    await running;
    await expect(waiting).resolves.toBe('a');
  });
});
