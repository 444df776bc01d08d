/**
 * Every metering route × every role × own/foreign website → expected status. The table is
 * compared with the routes the host publishes, so a new route without a row fails here.
 * Customers see their own websites' statistics and logs, resellers their tree's, admins all;
 * a foreign website reads as missing. Lists hold only the caller's tree.
 */
import t from 'tap';
import { checkAuthorizationTable, type AuthorizationCase } from '../../accounts/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

// Real NGINX, PHP-FPM and PostgreSQL on a machine other suites share: more than tap's 120 s default.
t.setTimeout(300_000);

const missing = stackMissing();
if (missing) {
  t.skip(`real nginx: ${missing}`);
} else {
  const stack = await startStack(t);
  const { host, trees } = stack;
  const pkg = await stack.newPackage({ disk_mb: 1000, bandwidth_gb: 100 });
  const subs = { own: await stack.subscribe(trees.customerA, pkg.id), foreign: await stack.subscribe(trees.customerB, pkg.id) };
  const sites = { own: await stack.site(subs.own), foreign: await stack.site(subs.foreign) };

  const same = (code: number): [number, number] => [code, code];
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/websites/{id}/stats': {
      make: async (w) => ({ url: `/v1/websites/${sites[w].id}/stats` }),
      // A technical user reads what it owns itself (as with backups): no website.
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'GET /v1/websites/{id}/logs': {
      make: async (w) => ({ url: `/v1/websites/${sites[w].id}/logs` }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'GET /v1/usage': {
      make: async () => ({ url: '/v1/usage' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'GET /v1/metering/traffic': {
      make: async () => ({ url: '/v1/metering/traffic' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'GET /v1/metering/sites': {
      make: async () => ({ url: '/v1/metering/sites' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'GET /v1/metering/metrics': {
      make: async () => ({ url: '/v1/metering/metrics' }),
      expect: { super_admin: same(200), reseller: same(403), customer: same(403), technical_user: same(403) },
    },
  };

  checkAuthorizationTable(t, host, trees.actors, /^\/v1\/(websites\/\{id\}\/(stats|logs)|usage|metering)(\/|$)/, TABLE);

  t.test('lists hold only the caller’s tree', async (t) => {
    const ids = (body: { items: Array<{ subscriptionId?: string; websiteId?: string }> }) =>
      body.items.map((i) => i.subscriptionId ?? i.websiteId).sort();
    const customerA = stack.caller(trees.customerA);
    t.same(ids((await customerA.get('/v1/usage')).body), [subs.own]);
    t.same(ids((await customerA.get('/v1/metering/sites')).body), [sites.own.id]);
    const resellerB = stack.caller(trees.resellerB);
    t.same(ids((await resellerB.get('/v1/usage')).body), [subs.foreign]);
    t.same(ids((await resellerB.get('/v1/metering/sites')).body), [sites.foreign.id]);
    const all = ids((await stack.admin.get('/v1/metering/sites')).body);
    t.ok(all.includes(sites.own.id) && all.includes(sites.foreign.id));
    t.equal((await customerA.get('/v1/metering/traffic?days=0')).status, 400);
    t.equal((await customerA.get('/v1/metering/traffic?days=401')).status, 400);
    t.equal((await customerA.get('/v1/websites/not-a-uuid/stats')).status, 400);
  });
}
