import { describe, expect, it } from 'vitest';
import { chaosSeed, faultPlan } from './chaos.js';

const kinds = ['a', 'b', 'c'] as const;

describe('faultPlan', () => {
  it('replays the same faults from the same seed', () => {
    const first = faultPlan({ seed: 42, rate: 0.3, kinds });
    const second = faultPlan({ seed: 42, rate: 0.3, kinds });
    const draws = (plan: typeof first) => Array.from({ length: 200 }, () => plan.next());
    expect(draws(first)).toEqual(draws(second));
    expect(first.seed).toBe(42);
    expect(first.requests).toBe(200);
  });

  it('injects about `rate` of the requests, of every kind', () => {
    const plan = faultPlan({ seed: 7, rate: 0.3, kinds });
    for (let index = 0; index < 3000; index += 1) plan.next(`request ${index}`);
    const counts = plan.counts();
    expect(counts.none / 3000).toBeGreaterThan(0.65);
    expect(counts.none / 3000).toBeLessThan(0.75);
    for (const kind of kinds) expect(counts[kind]).toBeGreaterThan(200);
    expect(plan.draws[5]).toMatchObject({ index: 5, label: 'request 5' });
  });

  it('lets a request through after maxConsecutive faults in a row', () => {
    const plan = faultPlan({ seed: 1, rate: 1, kinds, maxConsecutive: 2 });
    const pattern = Array.from({ length: 6 }, () => (plan.next() === undefined ? '-' : 'F')).join('');
    expect(pattern).toBe('FF-FF-');
  });

  it('injects nothing at rate 0 and refuses a rate outside [0, 1] or no kinds', () => {
    const plan = faultPlan({ seed: 1, rate: 0, kinds });
    expect(Array.from({ length: 50 }, () => plan.next()).every((kind) => kind === undefined)).toBe(true);
    expect(() => faultPlan({ seed: 1, rate: 1.5, kinds })).toThrow(/Expected rate in \[0, 1\], got 1.5/);
    expect(() => faultPlan({ seed: 1, rate: 0.5, kinds: [] })).toThrow(/at least one fault kind/);
  });

  it('draws one seed per process, from CHAOS_SEED when set', () => {
    expect(chaosSeed()).toBe(chaosSeed());
    expect(faultPlan({ rate: 0.5, kinds }).seed).toBe(chaosSeed());
  });
});
