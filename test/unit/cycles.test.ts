import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycles } from '../../src/core/cycles';

const graph = (edges: Record<string, string[]>) => (n: string) => edges[n] ?? [];

test('findCycles returns each cycle once as a closed path, and nothing for a DAG', () => {
  const edges = { a: ['b'], b: ['c'], c: ['a'], d: ['a', 'd'], e: ['f'] };
  assert.deepEqual(findCycles(Object.keys(edges), graph(edges)), [['a', 'b', 'c', 'a'], ['d', 'd']]);
  assert.deepEqual(findCycles(['x', 'y'], graph({ x: ['y'], y: ['z'] })), []);
});
