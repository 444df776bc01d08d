/**
 * Every databases route × every role × own/foreign database → expected status. The table is
 * compared with the routes the host publishes in /v1/openapi.json, so a new route without a row
 * fails here. Runs on a real MariaDB: a cell that creates really creates.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  caller,
  checkAuthorizationTable,
  packageBody,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';
import { startDatabasesHost, systemMissing } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  // Adminer links need a token folder (no Adminer serves it here: adminer.test.ts redeems them).
  const tokenDir = await mkdtemp(path.join(tmpdir(), 'hp-adminer-tokens-'));
  t.teardown(() => rm(tokenDir, { recursive: true, force: true }));
  const { host } = await startDatabasesHost(t, {
    config: { databases: { adminerUrl: 'http://127.0.0.1:9/', adminerTokenDir: tokenDir } },
  });
  const sql = sqlOf(host);
  t.teardown(() => sql.destroy());
  const { admin, customerA, customerB, actors } = await twoTrees(sql);
  const asAdmin = caller(host, admin);
  const roomy = (await asAdmin.post('/v1/packages', packageBody({ limits: { ...packageBody().limits, databases: 1000 } }))).body;
  const subscriptionOf: Record<Which, string> = {
    own: (await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: roomy.id, billingCycle: 'monthly' }))
      .body.id,
    foreign: (await asAdmin.post('/v1/subscriptions', { customerId: customerB.id, packageId: roomy.id, billingCycle: 'monthly' }))
      .body.id,
  };

  let n = 0;
  const fresh = () => `authz${++n}`;
  /** A fresh database of the customer on `which` side, with one user. */
  async function database(which: Which): Promise<{ id: string; name: string; userId: string }> {
    const res = await asAdmin.post('/v1/databases', { name: fresh(), subscriptionId: subscriptionOf[which] });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    const user = await asAdmin.post(`/v1/databases/${res.body.id}/users`, {});
    if (user.status !== 201) throw new Error(JSON.stringify(user.body));
    return { id: res.body.id, name: res.body.name, userId: user.body.user.id };
  }

  const same = (code: number): [number, number] => [code, code];
  // A technical user reads only what it owns itself: its customer's databases are outside its subtree.
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/databases': {
      make: async () => ({ url: '/v1/databases' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'GET /v1/databases/servers': {
      make: async () => ({ url: '/v1/databases/servers' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'GET /v1/databases/{id}': {
      make: async (w) => ({ url: `/v1/databases/${(await database(w)).id}` }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'POST /v1/databases': {
      make: async (w) => ({ url: '/v1/databases', payload: { name: fresh(), subscriptionId: subscriptionOf[w] } }),
      // A subscription outside the subtree reads as an invalid subscriptionId.
      expect: { super_admin: same(201), reseller: [201, 400], customer: [201, 400], technical_user: same(403) },
    },
    'DELETE /v1/databases/{id}': {
      make: async (w) => {
        const d = await database(w);
        return { url: `/v1/databases/${d.id}?confirm=${d.name}` };
      },
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    // Adminer changes data: write permission, like the users routes.
    'POST /v1/databases/{id}/adminer': {
      make: async (w) => ({ url: `/v1/databases/${(await database(w)).id}/adminer` }),
      expect: { super_admin: same(201), reseller: [201, 404], customer: [201, 404], technical_user: same(403) },
    },
    'GET /v1/databases/{id}/users': {
      make: async (w) => ({ url: `/v1/databases/${(await database(w)).id}/users` }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'POST /v1/databases/{id}/users': {
      make: async (w) => ({ url: `/v1/databases/${(await database(w)).id}/users`, payload: { name: fresh() } }),
      expect: { super_admin: same(201), reseller: [201, 404], customer: [201, 404], technical_user: same(403) },
    },
    'POST /v1/databases/{id}/users/{userId}/reset-password': {
      make: async (w) => {
        const d = await database(w);
        return { url: `/v1/databases/${d.id}/users/${d.userId}/reset-password`, payload: {} };
      },
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    'DELETE /v1/databases/{id}/users/{userId}': {
      make: async (w) => {
        const d = await database(w);
        return { url: `/v1/databases/${d.id}/users/${d.userId}` };
      },
      expect: { super_admin: same(204), reseller: [204, 404], customer: [204, 404], technical_user: same(403) },
    },
  };

  checkAuthorizationTable(t, host, actors, /^\/v1\/databases(\/|$)/, TABLE);
}
