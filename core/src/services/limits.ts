/**
 * `coreServices.limits`: usage against limits per subscription, in hostplane.subscription_usage.
 * A reservation is one conditional UPDATE (`used + delta <= limit`): PostgreSQL locks the row,
 * so N concurrent creates against a limit of L let exactly L through, on any number of hosts.
 */
import { defineError, type LimitsService, type UsageLine } from '@hostplane/sdk';
import type { Knex } from 'knex';

export const LimitErrors = {
  exceeded: defineError(
    'LIMITS_ERR_EXCEEDED',
    409,
    (resource: string, used: number, limit: number) => `The package allows ${quantity(limit, resource)}; ${used} in use`,
    (resource: string, used: number, limit: number) => ({ resource, used, limit }),
  ),
  unknownSubscription: defineError(
    'LIMITS_ERR_UNKNOWN_SUBSCRIPTION',
    404,
    (id: string) => `No limits are set for subscription ${id}`,
  ),
  invalid: defineError('LIMITS_ERR_INVALID', 400, (reason: string) => reason),
};

/** `1 website`, `3 websites`, `500 MB of disk`: a limit in words (resource keys are plural). */
export function quantity(count: number, resource: string): string {
  const unit = /^(.+)_(mb|gb)$/.exec(resource);
  if (unit) return `${count} ${unit[2]!.toUpperCase()} of ${unit[1]!.replaceAll('_', ' ')}`;
  const words = resource.replaceAll('_', ' ');
  return `${count} ${count === 1 && words.endsWith('s') ? words.slice(0, -1) : words}`;
}

const TABLE = 'hostplane.subscription_usage';
const RESOURCE = /^[a-z][a-z0-9_]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Row {
  resource: string;
  used: string | number;
  limit: string | number | null;
}

function line(row: Row): UsageLine {
  return { resource: row.resource, used: Number(row.used), limit: row.limit === null ? null : Number(row.limit) };
}

function check(subscriptionId: string, resource?: string): void {
  if (!UUID.test(subscriptionId)) throw LimitErrors.invalid(`subscription id "${subscriptionId}" is not a uuid`);
  if (resource !== undefined && !RESOURCE.test(resource)) throw LimitErrors.invalid(`resource "${resource}" must be snake_case`);
}

/** The limits service over `knex`; `enforced` lists the keys started plugins enforce. */
export function createLimitsService(knex: Knex, enforced: () => string[] = () => []): LimitsService {
  return {
    enforced: () => [...new Set(enforced())].sort(),
    async assert(subscriptionId, resource, delta, options = {}) {
      check(subscriptionId, resource);
      if (!Number.isSafeInteger(delta)) throw LimitErrors.invalid('delta must be a whole number');
      const db = options.trx ?? knex;
      const reserve = async () =>
        (
          await db.raw<{ rows: Row[] }>(
            `update ${TABLE} set used = greatest(used + ?, 0), updated_at = now()
              where subscription_id = ? and resource = ? and (? <= 0 or "limit" is null or used + ? <= "limit")
              returning resource, used, "limit"`,
            [delta, subscriptionId, resource, delta, delta],
          )
        ).rows[0];
      // The usual case, a resource the package names, is this one statement: a create path
      // reserves a few resources inside a transaction whose row locks others wait on.
      const reserved = await reserve();
      if (reserved) return line(reserved);
      const known = await db(TABLE).where({ subscription_id: subscriptionId }).first('subscription_id');
      if (!known) throw LimitErrors.unknownSubscription(subscriptionId);
      // A resource the package does not mention is unlimited.
      await db.raw(`insert into ${TABLE} (subscription_id, resource) values (?, ?) on conflict do nothing`, [
        subscriptionId,
        resource,
      ]);
      const again = await reserve();
      if (again) return line(again);
      const current = (await db(TABLE)
        .where({ subscription_id: subscriptionId, resource })
        .first('resource', 'used', 'limit')) as Row;
      throw LimitErrors.exceeded(resource, Number(current.used), Number(current.limit));
    },
    async record(subscriptionId, resource, used, options = {}) {
      check(subscriptionId, resource);
      if (!Number.isSafeInteger(used) || used < 0) throw LimitErrors.invalid('a measured usage must be a whole number ≥ 0');
      const db = options.trx ?? knex;
      const known = await db(TABLE).where({ subscription_id: subscriptionId }).first('subscription_id');
      if (!known) throw LimitErrors.unknownSubscription(subscriptionId);
      // Absolute, not a delta: two hosts recording the same measurement agree.
      const rows = (
        await db.raw<{ rows: Row[] }>(
          `insert into ${TABLE} (subscription_id, resource, used) values (?, ?, ?)
           on conflict (subscription_id, resource) do update set used = excluded.used, updated_at = now()
           returning resource, used, "limit"`,
          [subscriptionId, resource, used],
        )
      ).rows;
      return line(rows[0]!);
    },
    async setLimits(subscriptionId, limits, options = {}) {
      check(subscriptionId);
      const entries = Object.entries(limits);
      for (const [resource, limit] of entries) {
        check(subscriptionId, resource);
        if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0))
          throw LimitErrors.invalid(`limit of ${resource} must be a whole number ≥ 0 or null`);
      }
      const db = options.trx ?? knex;
      if (entries.length === 0) {
        // Still mark the subscription as known (everything unlimited).
        await db.raw(
          `insert into ${TABLE} (subscription_id, resource, "limit") values (?, 'websites', null) on conflict do nothing`,
          [subscriptionId],
        );
        return;
      }
      await db(TABLE)
        .insert(entries.map(([resource, limit]) => ({ subscription_id: subscriptionId, resource, limit })))
        .onConflict(['subscription_id', 'resource'])
        .merge({ limit: knex.raw('excluded."limit"'), updated_at: knex.fn.now() });
    },
    async usage(subscriptionId) {
      check(subscriptionId);
      const rows = (await knex(TABLE)
        .where({ subscription_id: subscriptionId })
        .orderBy('resource')
        .select('resource', 'used', 'limit')) as Row[];
      return rows.map(line);
    },
    async wouldExceed(subscriptionId, limits) {
      const current = await this.usage(subscriptionId);
      return current
        .filter((u) => u.resource in limits)
        .map((u) => ({ ...u, limit: limits[u.resource] ?? null }))
        .filter((u) => u.limit !== null && u.used > u.limit);
    },
  };
}
