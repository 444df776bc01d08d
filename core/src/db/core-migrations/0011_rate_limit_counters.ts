/**
 * Rate-limit counters shared by every host process on one database, so two hosts behind a
 * balancer enforce one limit (host/src/server/rate-limit-counters.ts, decision 0032).
 *
 * Unlogged: a counter is worth a minute at most, so it skips the write-ahead log (no fsync per
 * request) and a crash that empties the table only forgives the current window. `taken` is
 * whether the last `take` got a slot, set in the same statement as the count so the caller
 * learns it without a second round trip.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create unlogged table hostplane.rate_limit_counters (
    key text primary key check (length(key) between 1 and 512),
    hits integer not null,
    reset_at timestamptz not null,
    taken boolean not null default true
  )`);
  // The sweep deletes windows long over by this order.
  await knex.raw('create index rate_limit_counters_reset_at_idx on hostplane.rate_limit_counters (reset_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table hostplane.rate_limit_counters');
}
