/**
 * Who may lift a suspension: its author's level or above. An administrator's suspension (or the
 * CLI's, or one the platform made by itself) is the platform's, and a reseller cannot undo it; a
 * reseller's a customer cannot. Automatic suspensions (a subscription suspended with its user)
 * keep the level of the act that caused them.
 */
import type { Role } from '@hostplane/sdk';
import { AccountsErrors } from './errors.js';

export type SuspensionLevel = 'platform' | 'reseller' | 'customer';

const RANK: Record<SuspensionLevel, number> = { customer: 1, reseller: 2, platform: 3 };

/** The level a role acts at; `null` (the CLI, the system) is the platform. A technical user acts for its customer. */
export function levelOf(role: Role | null): SuspensionLevel {
  if (role === 'reseller') return 'reseller';
  if (role === 'customer' || role === 'technical_user') return 'customer';
  return 'platform';
}

/** The higher of two levels. */
export function higherLevel(a: SuspensionLevel, b: SuspensionLevel | null): SuspensionLevel {
  return b !== null && RANK[b] > RANK[a] ? b : a;
}

/**
 * Throw 403 `ACCOUNTS_ERR_SUSPENDED_ABOVE` unless `lifter` may lift a suspension made at
 * `author` (unknown: the platform's, the safe side).
 */
export function assertMayLift(what: 'subscription' | 'user', lifter: SuspensionLevel, author: SuspensionLevel | null): void {
  const by = author ?? 'platform';
  if (RANK[lifter] < RANK[by]) throw AccountsErrors.suspendedAbove(what, by);
}
