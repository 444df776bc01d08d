/**
 * Every backups route × every role × own/foreign backup → expected status. The table is compared
 * with the routes the host publishes in /v1/openapi.json, so a new route without a row fails here.
 * Customers see and restore only their own backups, resellers their tree's, admins all; a
 * technical user reads only what it owns itself and restores nothing.
 */
import t from 'tap';
import { checkAuthorizationTable, type AuthorizationCase, type Which } from '../../accounts/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { startStack, stackMissing } from './stack.js';
import { keyPair } from './sshd.js';
import { freePort } from '../../webserver-nginx/test/helpers.js';

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + nginx: ${missing}`);
} else {
  const stack = await startStack(t);
  const { admin, host, trees, finished, restored } = stack;
  const sites = { own: await stack.site('own'), foreign: await stack.site('foreign') };
  const backupOf = {} as Record<Which, string>;
  const restoreOf = {} as Record<Which, string>;
  for (const which of ['own', 'foreign'] as const) {
    const b = await admin.post('/v1/backups', { websiteId: sites[which].id });
    backupOf[which] = (await finished(admin, b.body.id)).id;
    const r = await admin.post(`/v1/backups/${backupOf[which]}/restore`, { path: 'public' });
    restoreOf[which] = (await restored(admin, r.body.id)).id;
  }

  // Each reseller's own target (decision 0077): an SFTP server on a port nobody listens on (the
  // routes answer at once). Set only by the table's last rows, so the backups its other rows
  // queue go to the platform's repository and succeed, rather than retrying against the closed
  // port (which took this file past four minutes), and removed after them.
  const resellerOf = { own: trees.resellerA.id, foreign: trees.resellerB.id } as Record<Which, string>;
  const targetBody = {
    kind: 'sftp',
    sftp: { host: '127.0.0.1', port: await freePort(), user: 'backup', path: 'repo', hostKey: (await keyPair()).publicKey },
  };
  /** A reseller-target row's request, with the target in place first (every row starts from one in use). */
  const withTarget = async (w: Which, payload?: unknown) => {
    const res = await admin.call('PUT', `/v1/backups/reseller-targets/${resellerOf[w]}`, targetBody);
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return { url: `/v1/backups/reseller-targets/${resellerOf[w]}`, ...(payload ? { payload } : {}) };
  };

  const same = (code: number): [number, number] => [code, code];
  const platformBackup = (await admin.post('/v1/backups/platform', {})).body.id as string;
  // The platform itself is the administrators' alone: there is no own or foreign one.
  const adminsOnly = (ok: number) => ({
    super_admin: same(ok),
    reseller: same(403),
    customer: same(403),
    technical_user: same(403),
  });
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/backups': {
      make: async () => ({ url: '/v1/backups' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'POST /v1/backups': {
      make: async (w) => ({ url: '/v1/backups', payload: { websiteId: sites[w].id } }),
      // A website outside the subtree reads as missing.
      expect: { super_admin: same(202), reseller: [202, 404], customer: [202, 404], technical_user: same(403) },
    },
    'GET /v1/backups/targets': {
      make: async () => ({ url: '/v1/backups/targets' }),
      expect: { super_admin: same(200), reseller: same(403), customer: same(403), technical_user: same(403) },
    },
    'GET /v1/backups/platform': { make: async () => ({ url: '/v1/backups/platform' }), expect: adminsOnly(200) },
    'POST /v1/backups/platform': { make: async () => ({ url: '/v1/backups/platform', payload: {} }), expect: adminsOnly(202) },
    'GET /v1/backups/platform/{id}': {
      make: async () => ({ url: `/v1/backups/platform/${platformBackup}` }),
      expect: adminsOnly(200),
    },
    'GET /v1/backups/{id}': {
      make: async (w) => ({ url: `/v1/backups/${backupOf[w]}` }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'POST /v1/backups/{id}/restore': {
      make: async (w) => ({ url: `/v1/backups/${backupOf[w]}/restore`, payload: { path: 'public/index.html' } }),
      expect: { super_admin: same(202), reseller: [202, 404], customer: [202, 404], technical_user: same(403) },
    },
    'POST /v1/backups/{id}/cancel': {
      // The backups of the table are finished: a cancel reaches the 409 only where the backup is visible.
      make: async (w) => ({ url: `/v1/backups/${backupOf[w]}/cancel`, payload: {} }),
      expect: { super_admin: same(409), reseller: [409, 404], customer: [409, 404], technical_user: same(403) },
    },
    'GET /v1/backups/restores/{id}': {
      make: async (w) => ({ url: `/v1/backups/restores/${restoreOf[w]}` }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },

    // Last (see withTarget): a reseller its own only (another's reads as missing), admins any, customers never.
    'GET /v1/backups/reseller-targets/{resellerId}': {
      make: (w) => withTarget(w),
      expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
    },
    'PUT /v1/backups/reseller-targets/{resellerId}': {
      make: (w) => withTarget(w, targetBody),
      expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
    },
    'DELETE /v1/backups/reseller-targets/{resellerId}': {
      make: (w) => withTarget(w),
      expect: { super_admin: same(204), reseller: [204, 404], customer: same(403), technical_user: same(403) },
    },
  };

  checkAuthorizationTable(t, host, stack.trees.actors, /^\/v1\/backups(\/|$)/, TABLE);

  t.test('the table’s reseller targets are removed again', async (t) => {
    for (const which of ['own', 'foreign'] as const) {
      const res = await admin.call('DELETE', `/v1/backups/reseller-targets/${resellerOf[which]}`);
      t.ok([204, 404].includes(res.status), `${which}: ${res.status}`);
    }
  });

  t.test('lists hold only what the caller may see, with filters', async (t) => {
    const own = stack.caller(trees.customerA);
    const mine = (await own.get('/v1/backups?limit=100')).body;
    t.ok(mine.total >= 1);
    t.ok(
      mine.items.every((b: { ownerId: string }) => b.ownerId === trees.customerA.id),
      'only the customer’s own',
    );
    const reseller = (await stack.caller(trees.resellerB).get('/v1/backups?limit=100')).body;
    t.ok(
      reseller.items.every((b: { ownerId: string }) => b.ownerId === trees.customerB.id),
      'only the reseller’s tree',
    );
    const filtered = (await admin.get(`/v1/backups?websiteId=${sites.foreign.id}&status=succeeded`)).body;
    t.ok(filtered.items.length >= 1);
    t.ok(
      filtered.items.every(
        (b: { websiteId: string; status: string }) => b.websiteId === sites.foreign.id && b.status === 'succeeded',
      ),
    );
    t.equal((await own.get(`/v1/backups?ownerId=${trees.customerB.id}`)).body.total, 0, 'a foreign owner filter finds nothing');
    t.equal((await own.get('/v1/backups?status=bogus')).status, 400);
  });

  t.test('every run the table queued finishes', async (t) => {
    const busy = await eventually(
      async () => {
        const b = await stack.sql('plugin_backups.backups').whereIn('status', ['queued', 'running']).count({ n: '*' });
        const r = await stack.sql('plugin_backups.restores').whereIn('status', ['queued', 'running']).count({ n: '*' });
        const p = await stack.sql('plugin_backups.platform_backups').whereIn('status', ['queued', 'running']).count({ n: '*' });
        return Number(b[0]?.n) + Number(r[0]?.n) + Number(p[0]?.n) === 0 ? 0 : undefined;
      },
      120_000,
      200,
    );
    t.equal(busy, 0);
    const failed = await stack.sql('plugin_backups.restores').where({ status: 'failed' }).select('error');
    t.same(failed, [], 'every restore succeeded');
    const platform = await stack.sql('plugin_backups.platform_backups').select('status', 'key_origin', 'error');
    t.ok(platform.length >= 3);
    t.ok(
      platform.every((p: { status: string; key_origin: string }) => p.status === 'succeeded' && p.key_origin === 'ephemeral'),
      'every platform backup succeeded (a test host keeps its key in memory: not in the backup)',
    );
  });
}
