/**
 * Every dns route × every role × own/foreign zone → expected status. The table is compared with
 * the routes the host publishes in /v1/openapi.json, so a new route without a row fails here.
 * No DNS provider: zones stay pending, which does not change who may reach them.
 */
import t from 'tap';
import { migratePlugin } from '@hostplane/core';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import dns from '../src/index.js';
import {
  caller,
  checkAuthorizationTable,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, dns],
  config: { dns: { allowReservedTlds: true, maxRecordsPerZone: 5 } },
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, customerA, customerB, resellerA, resellerB, actors } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const ownerOf: Record<Which, string> = { own: customerA.id, foreign: customerB.id };

let n = 0;
const name = () => `authz-${++n}-${process.pid}.test`;
async function zone(which: Which): Promise<string> {
  const res = await asAdmin.post('/v1/dns/zones', { name: name(), ownerId: ownerOf[which], template: false });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}
async function record(which: Which): Promise<string> {
  const id = await zone(which);
  const res = await asAdmin.post(`/v1/dns/zones/${id}/records`, { name: 'www', type: 'A', data: '192.0.2.1' });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return `/v1/dns/zones/${id}/records/${res.body.id}`;
}

/** A package of reseller A (own) or B (foreign), written directly: the ceiling is not what is tested here. */
async function pkg(which: Which): Promise<string> {
  const [row] = await sql('plugin_accounts.packages')
    .insert({ name: `authz ${++n}`, currency: 'EUR', owner_id: which === 'own' ? resellerA.id : resellerB.id })
    .returning('id');
  return row.id as string;
}
const TEMPLATE = { records: [{ name: '@', type: 'A', data: '{ipv4}' }] };

const same = (code: number): [number, number] => [code, code];
// A technical user reads only what it owns itself: its customer's zones are outside its subtree.
type Expect = AuthorizationCase['expect'];
const read = (): Expect => ({ super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) });
const write = (code: number): Expect => ({
  super_admin: same(code),
  reseller: [code, 404],
  customer: [code, 404],
  technical_user: same(403),
});

// Package templates: admins any package, a reseller its own (another's reads as missing); customers none.
const template = (code: number): Expect => ({
  super_admin: same(code),
  reseller: [code, 404],
  customer: same(403),
  technical_user: same(403),
});

const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/dns/zones': {
    make: async () => ({ url: '/v1/dns/zones' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
  'GET /v1/dns/server': {
    make: async () => ({ url: '/v1/dns/server' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
  'POST /v1/dns/zones': {
    make: async (w) => ({ url: '/v1/dns/zones', payload: { name: name(), ownerId: ownerOf[w], template: false } }),
    // An owner outside the caller's subtree reads as an invalid ownerId.
    expect: { super_admin: same(201), reseller: [201, 400], customer: [201, 400], technical_user: same(403) },
  },
  'GET /v1/dns/zones/{id}': { make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}` }), expect: read() },
  'GET /v1/dns/zones/{id}/records': {
    make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}/records` }),
    expect: read(),
  },
  'GET /v1/dns/zones/{id}/export': { make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}/export` }), expect: read() },
  'DELETE /v1/dns/zones/{id}': { make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}` }), expect: write(202) },
  'PUT /v1/dns/zones/{id}/dnssec': {
    make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}/dnssec`, payload: { enabled: true } }),
    expect: write(200),
  },
  'POST /v1/dns/zones/{id}/import': {
    make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}/import`, payload: { zoneFile: 'x IN A 192.0.2.1' } }),
    expect: write(200),
  },
  'POST /v1/dns/zones/{id}/records': {
    make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}/records`, payload: { name: 'x', type: 'TXT', data: 'hello' } }),
    expect: write(201),
  },
  'PATCH /v1/dns/zones/{id}/records/{recordId}': {
    make: async (w) => ({ url: await record(w), payload: { ttl: 600 } }),
    expect: write(200),
  },
  'DELETE /v1/dns/zones/{id}/records/{recordId}': { make: async (w) => ({ url: await record(w) }), expect: write(204) },
  'POST /v1/dns/zones/{id}/reset': { make: async (w) => ({ url: `/v1/dns/zones/${await zone(w)}/reset` }), expect: write(200) },
  'GET /v1/dns/package-templates/{packageId}': {
    make: async (w) => ({ url: `/v1/dns/package-templates/${await pkg(w)}` }),
    expect: template(200),
  },
  'PUT /v1/dns/package-templates/{packageId}': {
    make: async (w) => ({ url: `/v1/dns/package-templates/${await pkg(w)}`, payload: TEMPLATE }),
    expect: template(200),
  },
  'DELETE /v1/dns/package-templates/{packageId}': {
    make: async (w) => ({ url: `/v1/dns/package-templates/${await pkg(w)}` }),
    expect: template(200),
  },
  'GET /v1/dns/package-templates/{packageId}/preview': {
    make: async (w) => ({ url: `/v1/dns/package-templates/${await pkg(w)}/preview?domain=preview-${n}.test` }),
    expect: template(200),
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/dns(\/|$)/, TABLE);

t.test('a record id of another zone reads as missing, even in a zone the caller owns', async (t) => {
  const mine = await zone('own');
  const foreignRecord = (await record('foreign')).split('/').pop();
  const res = await caller(host, customerA).patch(`/v1/dns/zones/${mine}/records/${foreignRecord}`, { ttl: 600 });
  t.equal(res.status, 404);
  t.equal(res.body.error.code, 'DNS_ERR_RECORD_NOT_FOUND');
});

t.test('the panel lists the DNS page for those who may read zones', async (t) => {
  const pages = async (role: 'customer' | 'technical_user') => {
    const res = await host.inject({
      method: 'GET',
      url: '/v1/panel/pages',
      headers: host.headersFor(role, { userId: actors[role].id }),
    });
    return JSON.stringify(res.json());
  };
  t.match(await pages('customer'), '"/dns/zones"');
  t.match(await pages('technical_user'), '"/dns/zones"', 'a technical user reads zones (its own)');
});

t.test('parallel adds cannot pass the per-zone record limit', async (t) => {
  const id = await zone('own');
  const asCustomer = caller(host, customerA);
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      asCustomer.post(`/v1/dns/zones/${id}/records`, { name: `r${i}`, type: 'A', data: '192.0.2.1' }),
    ),
  );
  t.same(results.map((r) => r.status).sort(), [201, 201, 201, 201, 201, 409, 409, 409, 409, 409]);
  t.equal((await asCustomer.get(`/v1/dns/zones/${id}/records`)).body.length, 5);
});

t.test('the migration goes down and up again', async (t) => {
  const directory = new URL('../migrations/', import.meta.url);
  const migrate = (action: 'down' | 'up') => migratePlugin(sql, { pluginId: 'dns', directory, action });
  const tables = async () =>
    (await sql('information_schema.tables').where({ table_schema: 'plugin_dns' }).orderBy('table_name').select('table_name')).map(
      (r: { table_name: string }) => r.table_name,
    );
  const hasExpiry = async () =>
    Boolean(
      await sql('information_schema.columns')
        .where({ table_schema: 'plugin_dns', table_name: 'records', column_name: 'expires_at' })
        .first(),
    );
  t.same(await migrate('down'), ['20261208120000_package_templates']);
  t.same(await migrate('down'), ['20261205160000_challenge_records']);
  t.notOk(await hasExpiry(), 'challenge expiries gone');
  t.same(await migrate('down'), ['20261205120000_dns']);
  t.same(await tables(), ['migrations', 'migrations_lock'], 'only the migration bookkeeping is left');
  t.same(await migrate('up'), ['20261205120000_dns']);
  t.same(await migrate('up'), ['20261205160000_challenge_records']);
  t.same(await migrate('up'), ['20261208120000_package_templates']);
  t.same(await tables(), ['migrations', 'migrations_lock', 'package_templates', 'records', 'zones']);
  t.ok(await hasExpiry());
});
