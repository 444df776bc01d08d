/**
 * What disabling a plugin takes with it: the enabled plugins that require it (directly or
 * through another), and whether people can still sign in afterwards. The admin API shows it
 * before asking for confirmation; the kernel's `disable` refuses what was not confirmed.
 */
import { startOrder } from './dependency-graph.js';

/** The extension point of plugins that sign people in (sdk's `extensionPoints.authenticator`). */
export const SIGN_IN_EXTENSION = 'authenticator';

/** What the impact needs to know of each plugin. */
export interface ImpactNode {
  id: string;
  enabled: boolean;
  requires: Record<string, string>;
  provides: readonly string[];
}

/** Consequences of disabling one plugin. */
export interface DisableImpact {
  id: string;
  /** Enabled plugins that stop with it, in the order they would be stopped (dependants first). */
  dependents: string[];
  /** It (or a plugin stopping with it) signs people in: their sessions end with it. */
  signsPeopleIn: boolean;
  /** Afterwards no enabled plugin would sign anyone in: nobody could reach the panel or API. */
  lastSignInProvider: boolean;
}

export function disableImpact(id: string, nodes: readonly ImpactNode[]): DisableImpact {
  const enabled = nodes.filter((n) => n.enabled);
  const stopping = new Set([id]);
  // Whoever requires something that stops, stops too, until nothing more does.
  for (let grew = true; grew;) {
    grew = false;
    for (const node of enabled) {
      if (stopping.has(node.id) || !Object.keys(node.requires).some((dep) => stopping.has(dep))) continue;
      stopping.add(node.id);
      grew = true;
    }
  }
  // Stopped in reverse start order: each before what it requires.
  const graph = new Map(nodes.map((n) => [n.id, { id: n.id, version: '', requires: n.requires }]));
  const order = startOrder([...stopping], graph)
    .reverse()
    .filter((d) => d !== id);
  const signsIn = (n: ImpactNode) => n.provides.includes(SIGN_IN_EXTENSION);
  const self = nodes.find((n) => n.id === id);
  const stoppingProviders = enabled.filter((n) => stopping.has(n.id) && signsIn(n));
  const remainingProviders = enabled.filter((n) => !stopping.has(n.id) && signsIn(n));
  return {
    id,
    dependents: order,
    signsPeopleIn: stoppingProviders.length > 0 || (self !== undefined && signsIn(self)),
    lastSignInProvider: stoppingProviders.length > 0 && remainingProviders.length === 0,
  };
}
