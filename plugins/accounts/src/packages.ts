/** Packages: who sees which, who may change them, and the reseller ceiling. */
import type { Actor } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { AccountsErrors, type PackageRef } from './errors.js';
import type { AccountsDeps } from './common.js';
import {
  BACKUP_KEEP_FEATURES,
  BOOLEAN_FEATURES,
  LIMIT_KEYS,
  RESOURCE_FEATURES,
  type PackageFeatures,
  type PackageLimits,
  type PackageRow,
} from './package-schemas.js';

/** Statuses in which a subscription counts (for "in use", the reseller ceiling …). */
export const LIVE_STATUSES = ['pending', 'active', 'suspended'] as const;

/**
 * Restrict a packages query to what `actor` may see, inside the SQL: admins all; resellers their
 * own and the platform's public and reseller-only ones; customers (and their technical users)
 * the public packages of their reseller and of the platform, plus any they subscribe to.
 */
export async function packageScope(
  deps: Pick<AccountsDeps, 'users' | 'db'>,
  actor: Actor,
): Promise<(query: Knex.QueryBuilder) => void> {
  // Returns a function, not a builder: a builder is thenable and would run if awaited.
  const t = `${deps.db.schema}.packages`;
  if (actor.role === 'super_admin') return () => undefined;
  if (actor.role === 'reseller') {
    return (query) =>
      query.where((q) =>
        q
          .where(`${t}.owner_id`, actor.userId)
          .orWhere((p) => p.whereNull(`${t}.owner_id`).whereIn(`${t}.visibility`, ['public', 'reseller_only'])),
      );
  }
  const me = await deps.users.get(actor.userId);
  const customerId = actor.role === 'technical_user' ? (me?.parentId ?? null) : actor.userId;
  const customer = customerId === actor.userId ? me : customerId ? await deps.users.get(customerId) : undefined;
  const sellerId = customer?.parentId ?? null;
  return (query) =>
    query.where((q) => {
      q.where((p) =>
        p.where(`${t}.visibility`, 'public').where((o) => {
          o.whereNull(`${t}.owner_id`);
          if (sellerId) o.orWhere(`${t}.owner_id`, sellerId);
        }),
      );
      if (customerId) {
        q.orWhereIn(
          `${t}.id`,
          deps.db.knex(`${deps.db.schema}.subscriptions`).select('package_id').where('customer_id', customerId),
        );
      }
    });
}

/** A package `actor` may see, or 404. */
export async function visiblePackage(
  deps: Pick<AccountsDeps, 'users' | 'db'>,
  actor: Actor,
  id: string,
  trx?: Knex.Transaction,
): Promise<PackageRow> {
  const query = deps.db.table('packages', trx).where(`${deps.db.schema}.packages.id`, id);
  (await packageScope(deps, actor))(query);
  const row = (await query.first()) as PackageRow | undefined;
  if (!row) throw AccountsErrors.packageNotFound(id);
  return row;
}

/** What an error needs to name a package. */
export function pkgRef(row: PackageRow): PackageRef {
  return { id: row.id, name: row.name, ownerId: row.owner_id };
}

/** A package `actor` may change (admins any; resellers their own), or 404/403. */
export async function ownedPackage(
  deps: Pick<AccountsDeps, 'users' | 'db'>,
  actor: Actor,
  id: string,
  trx?: Knex.Transaction,
): Promise<PackageRow> {
  const row = await visiblePackage(deps, actor, id, trx);
  if (actor.role !== 'super_admin' && row.owner_id !== actor.userId) throw AccountsErrors.packageNotOwned('change', pkgRef(row));
  return row;
}

/** The package a reseller itself subscribes to (latest live one), or undefined. */
export async function ownPackageOf(deps: Pick<AccountsDeps, 'db'>, userId: string, trx?: Knex.Transaction) {
  const row = (await deps.db
    .table('subscriptions', trx)
    .join('packages as p', 'p.id', `${deps.db.schema}.subscriptions.package_id`)
    .where(`${deps.db.schema}.subscriptions.customer_id`, userId)
    .whereIn(`${deps.db.schema}.subscriptions.status`, ['active', 'pending'])
    .orderBy(`${deps.db.schema}.subscriptions.created_at`, 'desc')
    .first('p.*')) as PackageRow | undefined;
  return row;
}

/** The limits and features of `wanted` that go beyond `ceiling` (by name). */
export function beyondCeiling(
  wanted: { limits: PackageLimits; features: PackageFeatures },
  ceiling: { limits: PackageLimits; features: PackageFeatures },
): string[] {
  const out: string[] = [];
  for (const key of LIMIT_KEYS) {
    const max = ceiling.limits[key];
    const want = wanted.limits[key];
    if (max !== null && (want === null || want > max)) out.push(`limits.${key}`);
  }
  for (const key of BOOLEAN_FEATURES) if (wanted.features[key] && !ceiling.features[key]) out.push(`features.${key}`);
  for (const key of [...RESOURCE_FEATURES, ...BACKUP_KEEP_FEATURES]) {
    const max = ceiling.features[key];
    const want = wanted.features[key];
    if (max !== null && (want === null || want > max)) out.push(`features.${key}`);
  }
  // Weekly for the reseller means weekly for its customers (null could be the platform's daily).
  if (ceiling.features.backup_frequency === 'weekly' && wanted.features.backup_frequency !== 'weekly') {
    out.push('features.backup_frequency');
  }
  const php = new Set(ceiling.features.php_versions);
  if (wanted.features.php_versions.some((v) => !php.has(v))) out.push('features.php_versions');
  return out;
}

/** True when any subscription (whatever its status) points at the package. */
export async function packageInUse(deps: Pick<AccountsDeps, 'db'>, id: string, trx?: Knex.Transaction): Promise<boolean> {
  return Boolean(await deps.db.table('subscriptions', trx).where({ package_id: id }).first('id'));
}
