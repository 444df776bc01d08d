/** Ordering plugins by their `requires`, and refusing what cannot be satisfied, by name. */
import semver from 'semver';
import { KernelErrors } from '../errors.js';

/** What the graph needs to know of each plugin. */
export interface GraphNode {
  id: string;
  version: string;
  requires: Record<string, string>;
}

/**
 * Check one plugin's requirements against the installed plugins.
 * Throws KERNEL_ERR_DEPENDENCY_MISSING or KERNEL_ERR_DEPENDENCY_INCOMPATIBLE.
 */
export function checkRequirements(node: GraphNode, installed: ReadonlyMap<string, GraphNode>): void {
  for (const [dep, range] of Object.entries(node.requires)) {
    const found = installed.get(dep);
    if (!found) throw KernelErrors.dependencyMissing(node.id, dep, range);
    if (!semver.satisfies(found.version, range, { includePrerelease: true })) {
      throw KernelErrors.dependencyIncompatible(node.id, dep, range, found.version);
    }
  }
}

/**
 * Order `ids` so each comes after what it requires (dependencies outside `ids` are ignored
 * here; {@link checkRequirements} covers them). Throws KERNEL_ERR_DEPENDENCY_CYCLE naming the
 * cycle.
 */
export function startOrder(ids: readonly string[], nodes: ReadonlyMap<string, GraphNode>): string[] {
  const wanted = new Set(ids);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw KernelErrors.dependencyCycle([...path.slice(path.indexOf(id)), id]);
    }
    state.set(id, 'visiting');
    for (const dep of Object.keys(nodes.get(id)?.requires ?? {}).sort()) {
      if (wanted.has(dep)) visit(dep, [...path, id]);
    }
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of [...ids].sort()) visit(id, []);
  return order;
}

/** Every plugin among `candidates` whose cycle-free order cannot be had, with the cycle error. */
export function findCycles(nodes: ReadonlyMap<string, GraphNode>): Map<string, Error> {
  const failed = new Map<string, Error>();
  for (const id of nodes.keys()) {
    try {
      startOrder([id, ...reachable(id, nodes)], nodes);
    } catch (error) {
      failed.set(id, error as Error);
    }
  }
  return failed;
}

function reachable(id: string, nodes: ReadonlyMap<string, GraphNode>): string[] {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const dep of Object.keys(nodes.get(current)?.requires ?? {})) {
      if (!seen.has(dep) && nodes.has(dep)) {
        seen.add(dep);
        stack.push(dep);
      }
    }
  }
  seen.delete(id);
  return [...seen];
}
