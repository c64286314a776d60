import { describe, expect, it } from 'vitest';
import { findCycles } from '../import-cycles.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('findCycles', () => {
  it('finds none in a graph without cycles, shared imports included', () => {
    expect(findCycles(graph({ a: ['b', 'c'], b: ['c'], c: [], d: ['a', 'c'] }))).toEqual([]);
  });

  it('finds a cycle of two files, from the first file in sort order', () => {
    expect(findCycles(graph({ 'render/types.ts': ['render/json.ts'], 'render/json.ts': ['render/types.ts'], other: [] }))).toEqual([
      ['render/json.ts', 'render/types.ts', 'render/json.ts'],
    ]);
  });

  it('finds a file that imports itself', () => {
    expect(findCycles(graph({ a: ['a'], b: [] }))).toEqual([['a', 'a']]);
  });

  it('reports one short cycle per tangle, and each tangle once', () => {
    const cycles = findCycles(graph({ a: ['b'], b: ['c'], c: ['a', 'd'], d: ['e'], e: ['d'], f: ['a'] }));
    expect(cycles).toEqual([
      ['a', 'b', 'c', 'a'],
      ['d', 'e', 'd'],
    ]);
  });

  it('follows a long chain without running out of stack', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) edges[`f${String(i).padStart(5, '0')}`] = [`f${String(i + 1).padStart(5, '0')}`];
    edges['f20000'] = ['f00000'];
    const [cycle] = findCycles(graph(edges));
    expect(cycle).toHaveLength(20_002);
  });
});
