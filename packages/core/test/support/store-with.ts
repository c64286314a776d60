import type { BatchStore } from '@tubesum/core';

/**
 * `inner` with some members replaced (to make calls slow, fail or count them); every other member
 * is `inner`'s own, bound to it, so the store contract can grow without touching each test.
 */
export function storeWith(inner: BatchStore, overrides: Partial<Record<keyof BatchStore, unknown>>): BatchStore {
  return new Proxy(inner, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return (overrides as Record<PropertyKey, unknown>)[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
