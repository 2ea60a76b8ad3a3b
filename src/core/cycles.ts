// Cycles of a directed graph (dependsOn between workflows), each reported once.

/**
 * Every cycle a depth-first walk from `nodes` (in order) meets, as a closed path [a, b, a]. A cycle met again
 * from another entry point (the same nodes) is returned once.
 */
export function findCycles(nodes: Iterable<string>, next: (node: string) => string[]): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      const cycle = [...trail.slice(trail.indexOf(node)), node];
      const id = cycle.slice(0, -1).sort().join('\u0000');
      if (!seen.has(id)) {
        seen.add(id);
        cycles.push(cycle);
      }
      return;
    }
    state.set(node, 'open');
    for (const n of next(node)) visit(n, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of nodes) visit(node, []);
  return cycles;
}
