import t from 'tap';
import { randomUUID } from 'node:crypto';
import { createLimitsService, quantity } from '../src/services/limits.js';
import { useTestDatabase } from './helpers/database.js';

t.test('20 parallel creates against a limit of 5: exactly 5 succeed', async (t) => {
  const { knex } = await useTestDatabase(t);
  const limits = createLimitsService(knex);
  const sub = randomUUID();
  await limits.setLimits(sub, { websites: 5, domains: null });
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () =>
      knex.transaction(async (trx) => {
        await limits.assert(sub, 'websites', 1, { trx });
        // The caller's own insert would go here; hold the lock a moment like real work does.
        await trx.raw('select pg_sleep(0.01)');
      }),
    ),
  );
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(refused.length, 15);
  t.match(refused[0]?.reason, {
    code: 'LIMITS_ERR_EXCEEDED',
    statusCode: 409,
    details: { resource: 'websites', used: 5, limit: 5 },
  });
  t.same(await limits.usage(sub), [
    { resource: 'domains', used: 0, limit: null },
    { resource: 'websites', used: 5, limit: 5 },
  ]);
});

t.test('a rolled-back reservation is released; negative deltas free; unlimited never refuses', async (t) => {
  const { knex } = await useTestDatabase(t);
  const limits = createLimitsService(knex);
  const sub = randomUUID();
  await limits.setLimits(sub, { databases: 1 });
  await t.rejects(
    knex.transaction(async (trx) => {
      await limits.assert(sub, 'databases', 1, { trx });
      throw new Error('insert failed');
    }),
  );
  t.match(await limits.assert(sub, 'databases', 1), { used: 1, limit: 1 });
  await t.rejects(limits.assert(sub, 'databases', 1), { code: 'LIMITS_ERR_EXCEEDED' });
  t.match(await limits.assert(sub, 'databases', -1), { used: 0 });
  t.match(await limits.assert(sub, 'databases', -5), { used: 0 }, 'never below zero');
  t.match(await limits.assert(sub, 'cron_jobs', 100), { used: 100, limit: null }, 'not in the package: unlimited');
  await limits.setLimits(sub, { cron_jobs: 10 });
  t.same(await limits.wouldExceed(sub, { cron_jobs: 10, databases: 0 }), [{ resource: 'cron_jobs', used: 100, limit: 10 }]);
  await t.rejects(limits.assert(randomUUID(), 'websites', 1), { code: 'LIMITS_ERR_UNKNOWN_SUBSCRIPTION' });
  await t.rejects(limits.assert('nope', 'websites', 1), { code: 'LIMITS_ERR_INVALID' });
  await t.rejects(limits.assert(sub, 'Web Sites', 1), { code: 'LIMITS_ERR_INVALID' });
  await t.rejects(limits.setLimits(sub, { websites: -1 }), { code: 'LIMITS_ERR_INVALID' });
  await t.rejects(limits.assert(sub, 'websites', 0.5), { code: 'LIMITS_ERR_INVALID' });
});

t.test('a refusal says the limit in words, singular or plural', async (t) => {
  t.equal(quantity(1, 'websites'), '1 website');
  t.equal(quantity(3, 'email_accounts'), '3 email accounts');
  t.equal(quantity(1, 'cron_jobs'), '1 cron job');
  t.equal(quantity(500, 'disk_mb'), '500 MB of disk');
  const { knex } = await useTestDatabase(t);
  const limits = createLimitsService(knex);
  const sub = randomUUID();
  await limits.setLimits(sub, { websites: 1 });
  await limits.assert(sub, 'websites', 1);
  await t.rejects(limits.assert(sub, 'websites', 1), { message: 'The package allows 1 website; 1 in use' });
});

t.test('record sets a measured usage over the limit without refusing; a later reservation is refused', async (t) => {
  const { knex } = await useTestDatabase(t);
  const limits = createLimitsService(knex);
  const sub = randomUUID();
  await limits.setLimits(sub, { disk_mb: 100 });
  t.same(await limits.record(sub, 'disk_mb', 150), { resource: 'disk_mb', used: 150, limit: 100 });
  // Recording again is absolute (two hosts measuring the same thing agree).
  t.same(await limits.record(sub, 'disk_mb', 90), { resource: 'disk_mb', used: 90, limit: 100 });
  await t.rejects(limits.assert(sub, 'disk_mb', 20), { code: 'LIMITS_ERR_EXCEEDED' });
  // A resource the package does not name is created, unlimited.
  t.same(await limits.record(sub, 'bandwidth_gb', 3), { resource: 'bandwidth_gb', used: 3, limit: null });
  await t.rejects(limits.record(sub, 'disk_mb', -1), { code: 'LIMITS_ERR_INVALID' });
  await t.rejects(limits.record(randomUUID(), 'disk_mb', 1), { code: 'LIMITS_ERR_UNKNOWN_SUBSCRIPTION' });
});
