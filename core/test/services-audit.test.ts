import t from 'tap';
import { createAuditService, listAudit } from '../src/services/audit.js';
import { useTestDatabase } from './helpers/database.js';

const { knex } = await useTestDatabase(t);
const actor = '7a1f0c3e-2b4d-4c5e-9f60-0123456789ab';

t.test('an entry is written with its source and read back in full', async (t) => {
  const audit = createAuditService(knex, 'accounts');
  await audit.record({
    action: 'accounts.user.created',
    actorId: actor,
    target: { type: 'user', id: 'u-1' },
    details: { email: 'ada@example.com', tags: ['a', 'b'] },
    ip: '203.0.113.9',
    requestId: 'req-1',
  });
  const [entry] = await listAudit(knex, { source: 'accounts' });
  t.match(entry, {
    id: /^\d+$/,
    source: 'accounts',
    actorId: actor,
    action: 'accounts.user.created',
    target: { type: 'user', id: 'u-1' },
    details: { email: 'ada@example.com', tags: ['a', 'b'] },
    ip: '203.0.113.9',
    requestId: 'req-1',
  });
  t.ok(!Number.isNaN(Date.parse(entry!.at)), 'at is an ISO time');
});

t.test('defaults: system actor, no target, empty details', async (t) => {
  await createAuditService(knex, 'core').record({ action: 'core.plugin.enabled' });
  const [entry] = await listAudit(knex, { action: 'core.plugin.enabled' });
  t.match(entry, { actorId: null, target: null, details: {}, ip: null, requestId: null, source: 'core' });
});

t.test('inside a transaction the entry exists only if it commits', async (t) => {
  const audit = createAuditService(knex, 'txn');
  await knex
    .transaction(async (trx) => {
      await audit.record({ action: 'txn.thing.done' }, { trx });
      throw new Error('rollback');
    })
    .catch(() => undefined);
  t.same(await listAudit(knex, { source: 'txn' }), []);
  await knex.transaction((trx) => audit.record({ action: 'txn.thing.done' }, { trx }));
  t.equal((await listAudit(knex, { source: 'txn' })).length, 1);
});

t.test('filters and keyset pages, newest first', async (t) => {
  const audit = createAuditService(knex, 'pages');
  for (let i = 0; i < 5; i++) await audit.record({ action: `pages.item.n${i}`, actorId: i % 2 ? actor : null });
  const all = await listAudit(knex, { source: 'pages' });
  t.same(
    all.map((e) => e.action),
    ['pages.item.n4', 'pages.item.n3', 'pages.item.n2', 'pages.item.n1', 'pages.item.n0'],
  );
  const first = await listAudit(knex, { source: 'pages', limit: 2 });
  const second = await listAudit(knex, { source: 'pages', limit: 2, beforeId: first[1]!.id });
  t.same(
    [...first, ...second].map((e) => e.action),
    all.slice(0, 4).map((e) => e.action),
  );
  t.same(await listAudit(knex, { source: 'pages', beforeId: '999999999' }), [], 'an unknown id gives an empty page');
  t.same(
    (await listAudit(knex, { source: 'pages', actorId: actor })).map((e) => e.action),
    ['pages.item.n3', 'pages.item.n1'],
  );
  t.equal((await listAudit(knex, { source: 'pages', since: new Date(Date.now() + 60_000) })).length, 0);
  t.equal((await listAudit(knex, { source: 'pages', until: new Date(Date.now() + 60_000).toISOString() })).length, 5);
  t.equal((await listAudit(knex, { source: 'pages', since: '2000-01-01T00:00:00Z' })).length, 5);
  t.equal((await listAudit(knex, { limit: 10_000 })).length <= 500, true, 'a large limit is capped');
});

t.test('bad entries are refused before anything is written', async (t) => {
  const audit = createAuditService(knex, 'bad');
  const bad: unknown[] = [
    null,
    {},
    { action: 'nodot' },
    { action: 'has space.x' },
    { action: `a.${'x'.repeat(200)}` },
    { action: 'a.b', actorId: 'not-a-uuid' },
    { action: 'a.b', target: { type: 'user' } },
    { action: 'a.b', target: 'user:1' },
    { action: 'a.b', details: ['list'] },
    { action: 'a.b', details: { big: 10n } },
    { action: 'a.b', ip: 42 },
    { action: 'a.b', requestId: 'r'.repeat(201) },
    { action: 'a.b', details: { nul: '\u0000' } },
  ];
  for (const entry of bad) {
    await t.rejects(
      audit.record(entry as never),
      { code: 'AUDIT_ERR_ENTRY_INVALID' },
      JSON.stringify(entry, (_k, v) => (typeof v === 'bigint' ? 'bigint' : v)),
    );
  }
  t.same(await listAudit(knex, { source: 'bad' }), []);
  t.throws(() => createAuditService(knex, ''), TypeError);
});

t.test('bad filters are refused with a 400 code', async (t) => {
  const bad: unknown[] = [
    { actorId: 'x' },
    { limit: 0 },
    { limit: 1.5 },
    { limit: '10' },
    { since: 'yesterday' },
    { until: 5 },
    { beforeId: 'abc' },
    { action: '' },
    { source: 3 },
  ];
  for (const filter of bad) {
    await t.rejects(
      listAudit(knex, filter as never),
      { code: 'AUDIT_ERR_FILTER_INVALID', statusCode: 400 },
      JSON.stringify(filter),
    );
  }
});
