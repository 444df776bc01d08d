/**
 * Who may lift a provider suspension: its author's level or above. An administrator's (or the
 * CLI's) is the platform's, and a reseller cannot undo it. The accounts plugin applies the same
 * rule to subscriptions and users; the suspensions that follow those (reasons `subscription` and
 * `user`) leave with them, never through this route.
 */
import type { Role } from '@hostplane/sdk';
import { WebsitesErrors } from './errors.js';

export type SuspensionLevel = 'platform' | 'reseller' | 'customer';

const RANK: Record<SuspensionLevel, number> = { customer: 1, reseller: 2, platform: 3 };

/** The level a role acts at; none (the CLI, the system) is the platform's. */
export function levelOf(role: Role | null | undefined): SuspensionLevel {
  if (role === 'reseller') return 'reseller';
  if (role === 'customer' || role === 'technical_user') return 'customer';
  return 'platform';
}

/** Whether `level` is above `than` (an unknown author counts as the platform). */
export function isAbove(level: SuspensionLevel, than: SuspensionLevel | null): boolean {
  return RANK[level] > RANK[than ?? 'platform'];
}

/** 403 `WEBSITES_ERR_SUSPENDED_ABOVE` unless `lifter` is at `author`'s level or above. */
export function assertMayLift(lifter: SuspensionLevel, author: SuspensionLevel | null): void {
  const by = author ?? 'platform';
  if (RANK[lifter] < RANK[by]) throw WebsitesErrors.suspendedAbove(by);
}
