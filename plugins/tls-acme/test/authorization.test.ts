/**
 * Every tls-acme route × every role × own/foreign website → expected status. The table is
 * compared with the routes the host publishes in /v1/openapi.json, so a new route without a row
 * fails here. No web server and no CA: orders stay queued, which does not change who may ask.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import tlsAcme from '../src/index.js';
import {
  caller,
  checkAuthorizationTable,
  packageBody,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';
import { pebbleMissing } from './pebble.js';
import { Pki } from './pki.js';

const missing = pebbleMissing();
if (missing) {
  t.plan(0, `openssl makes the test certificates: ${missing}`);
} else {
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, { definition: websites, version: '0.1.0' }, tlsAcme],
    // Workers off: orders stay queued (no CA here), the table is about who may ask.
    runWorkers: false,
  });
  const sql = sqlOf(host);
  const pki = new Pki();
  t.teardown(async () => {
    pki.close();
    await sql.destroy();
    await host.close();
  });

  const { admin, customerA, customerB, actors } = await twoTrees(sql);
  const asAdmin = caller(host, admin);
  const pkg = (await asAdmin.post('/v1/packages', packageBody({ limits: { websites: 1000, domains: 1000 } }))).body;
  const subscriptionOf: Record<Which, string> = {
    own: (await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: pkg.id, billingCycle: 'monthly' })).body
      .id,
    foreign: (await asAdmin.post('/v1/subscriptions', { customerId: customerB.id, packageId: pkg.id, billingCycle: 'monthly' }))
      .body.id,
  };

  let n = 0;
  async function site(which: Which): Promise<{ id: string; domain: string }> {
    const domain = `authz-${++n}-${process.pid}.example.test`;
    const res = await asAdmin.post('/v1/websites', { domain, kind: 'static', subscriptionId: subscriptionOf[which] });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return { id: res.body.id as string, domain };
  }
  function upload(domain: string) {
    const { certificate, key, chain } = pki.chainFor([domain]);
    return { certificate, key, chain };
  }
  /** A site that already has a certificate (uploaded by the admin). */
  async function certified(which: Which): Promise<string> {
    const s = await site(which);
    const res = await asAdmin.call('PUT', `/v1/websites/${s.id}/certificate`, upload(s.domain));
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return s.id;
  }

  const same = (code: number): [number, number] => [code, code];
  type Expect = AuthorizationCase['expect'];
  // A technical user reads only what it owns itself: its customer's sites are outside its subtree.
  const read = (): Expect => ({ super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) });
  const write = (code: number): Expect => ({
    super_admin: same(code),
    reseller: [code, 404],
    customer: [code, 404],
    technical_user: same(403),
  });

  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/websites/{id}/certificate': {
      make: async (w) => ({ url: `/v1/websites/${(await site(w)).id}/certificate` }),
      expect: read(),
    },
    'PUT /v1/websites/{id}/certificate': {
      make: async (w) => {
        const s = await site(w);
        return { url: `/v1/websites/${s.id}/certificate`, payload: upload(s.domain) };
      },
      expect: write(200),
    },
    'POST /v1/websites/{id}/certificate': {
      make: async (w) => ({ url: `/v1/websites/${(await site(w)).id}/certificate`, payload: {} }),
      expect: write(202),
    },
    'PATCH /v1/websites/{id}/certificate': {
      make: async (w) => ({ url: `/v1/websites/${await certified(w)}/certificate`, payload: { hsts: true } }),
      expect: write(200),
    },
    'GET /v1/tls-acme/certificates': {
      make: async () => ({ url: '/v1/tls-acme/certificates' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'POST /v1/tls-acme/renewals': {
      make: async (w) => ({ url: '/v1/tls-acme/renewals', payload: { domain: (await site(w)).domain } }),
      expect: write(202),
    },
  };

  checkAuthorizationTable(t, host, actors, /^\/v1\/(websites\/\{id\}\/certificate|tls-acme\/)/, TABLE);

  t.test('the list shows only what the caller may see, with names, not ids', async (t) => {
    const mine = await site('own');
    const theirs = await site('foreign');
    const list = (await caller(host, customerA).get('/v1/tls-acme/certificates?limit=100')).body;
    const domains = list.items.map((i: { domain: string }) => i.domain);
    t.ok(domains.includes(mine.domain));
    t.notOk(domains.includes(theirs.domain));
  });

  t.test('bad ids and bodies are 4xx, never 5xx', async (t) => {
    const asA = caller(host, customerA);
    const s = await site('own');
    t.equal((await asA.get('/v1/websites/not-a-uuid/certificate')).status, 400);
    t.equal((await asA.get('/v1/websites/00000000-0000-4000-8000-000000000000/certificate')).status, 404);
    t.equal((await asA.post(`/v1/websites/${s.id}/certificate`, { wildcard: 'yes' })).status, 400);
    t.equal((await asA.patch(`/v1/websites/${s.id}/certificate`, {})).status, 400, 'a switch is needed');
    t.equal((await asA.post('/v1/tls-acme/renewals', { domain: 'Bad Domain\u0000' })).status, 400);
    t.equal((await asA.post('/v1/tls-acme/renewals', { domain: 'nobody.example.test' })).status, 404);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => asA.post(`/v1/websites/${s.id}/certificate`, {})));
    t.same(
      parallel.map((r) => r.status),
      [202, 202, 202, 202, 202],
      'parallel asks all answer 202: one order',
    );
  });
}
