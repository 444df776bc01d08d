/** Billing's migrations go down and up again on a real database (DESIGN: up and down for every change). */
import t from 'tap';
import { migratePlugin } from '@hostplane/core';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import { sqlOf } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const host = await startTestHost({ plugins: [{ definition: accounts, version: '0.1.0' }, billing] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const MIGRATIONS = [
  '20261205100000_billing',
  '20261205110000_credit_notes_and_credit',
  '20261205120000_coupons',
  '20261205130000_proration_and_dunning',
  '20261205150000_payment_events',
  '20261205170000_credit_note_documents',
  '20261207100000_issuer_color',
  '20261208100000_disputes',
  '20261209100000_dispute_reinstated',
];

t.test('every migration goes down and up again', async (t) => {
  const directory = new URL('../migrations/', import.meta.url);
  const migrate = (action: 'down' | 'latest') => migratePlugin(sql, { pluginId: 'billing', directory, action });
  const tables = async () =>
    (await sql('information_schema.tables')
      .where({ table_schema: 'plugin_billing' })
      .orderBy('table_name')
      .pluck('table_name')) as string[];
  const before = await tables();
  t.ok(before.includes('credit_notes') && before.includes('coupons') && before.includes('dunning_steps'));
  // One batch per down: newest first, until none is left.
  const undone: string[] = [];
  for (let batch = await migrate('down'); batch.length > 0; batch = await migrate('down')) undone.push(...batch);
  t.same(undone, [...MIGRATIONS].reverse());
  t.same(await tables(), ['migrations', 'migrations_lock'], 'only the migration bookkeeping is left');
  t.same([...(await migrate('latest'))].sort(), MIGRATIONS);
  t.same(await tables(), before);
});

t.test('credit notes made before their issue date existed get their creation day, and stay immutable', async (t) => {
  const directory = new URL('../migrations/', import.meta.url);
  t.same(await migratePlugin(sql, { pluginId: 'billing', directory, action: 'down' }), ['20261209100000_dispute_reinstated']);
  t.same(await migratePlugin(sql, { pluginId: 'billing', directory, action: 'down' }), ['20261208100000_disputes']);
  t.same(await migratePlugin(sql, { pluginId: 'billing', directory, action: 'down' }), ['20261207100000_issuer_color']);
  t.same(await migratePlugin(sql, { pluginId: 'billing', directory, action: 'down' }), ['20261205170000_credit_note_documents']);
  const [user] = (await sql('hostplane.users')
    .insert({ email: `cn-${Date.now()}@example.test`, name: 'Old note', role: 'customer' })
    .returning('id')) as Array<{ id: string }>;
  const [invoice] = (await sql('plugin_billing.invoices')
    .insert({ issuer: 'platform', customer_id: user!.id, currency: 'EUR', prices_include_tax: false })
    .returning('id')) as Array<{ id: string }>;
  const [note] = (await sql('plugin_billing.credit_notes')
    .insert({
      invoice_id: invoice!.id,
      issuer: 'platform',
      customer_id: user!.id,
      number: 'CN-2026-99999',
      year: 2026,
      sequence: 99999,
      currency: 'EUR',
      subtotal: 100,
      tax_total: 19,
      total: 119,
      settlement: 'refund',
      created_at: '2026-11-30T23:30:00Z',
    })
    .returning('id')) as Array<{ id: string }>;
  t.same(await migratePlugin(sql, { pluginId: 'billing', directory, action: 'latest' }), [
    '20261205170000_credit_note_documents',
    '20261207100000_issuer_color',
    '20261208100000_disputes',
    '20261209100000_dispute_reinstated',
  ]);
  const row = await sql('plugin_billing.credit_notes').where({ id: note!.id }).first(sql.raw('issue_date::text as d'));
  // The session's time zone decides `created_at::date`; the test database's is UTC.
  t.equal(row.d, '2026-11-30');
  await t.rejects(sql('plugin_billing.credit_notes').where({ id: note!.id }).update({ reason: 'changed' }), /cannot change/);
});
