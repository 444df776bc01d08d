/**
 * Every cron-jobs route × every role × own/foreign website → expected status. The table is
 * compared with the routes the host publishes in /v1/openapi.json, so a new route without a row
 * fails. Customers manage only their own sites' jobs, resellers their tree's, admins all; a
 * technical user owns no site, so it sees none, and may change nothing.
 */
import t from 'tap';
import { checkAuthorizationTable, type AuthorizationCase, type Which } from '../../accounts/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  // Real daemons, system users and site convergence: more than the suite's 120 s on a busy machine.
  t.setTimeout(360_000);
  const stack = await startStack(t, { cronLimit: null });
  const { admin } = stack;
  const sites = { own: await stack.site('own'), foreign: await stack.site('foreign') };
  const base = (w: Which) => `/v1/websites/${sites[w].id}/cron-jobs`;
  /** A new job of the site, made by the admin: each cell acts on its own. */
  const job = async (w: Which): Promise<string> => {
    const res = await admin.post(base(w), { schedule: '@daily', command: 'true' });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  };

  const same = (code: number): [number, number] => [code, code];
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/websites/{id}/cron-jobs': {
      make: async (w) => ({ url: base(w) }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'POST /v1/websites/{id}/cron-jobs': {
      make: async (w) => ({ url: base(w), payload: { schedule: '*/5 * * * *', command: 'echo hi' } }),
      expect: { super_admin: same(201), reseller: [201, 404], customer: [201, 404], technical_user: same(403) },
    },
    'GET /v1/websites/{id}/cron-jobs/{jobId}': {
      make: async (w) => ({ url: `${base(w)}/${await job(w)}` }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'PATCH /v1/websites/{id}/cron-jobs/{jobId}': {
      make: async (w) => ({ url: `${base(w)}/${await job(w)}`, payload: { enabled: false } }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    'DELETE /v1/websites/{id}/cron-jobs/{jobId}': {
      make: async (w) => ({ url: `${base(w)}/${await job(w)}` }),
      expect: { super_admin: same(204), reseller: [204, 404], customer: [204, 404], technical_user: same(403) },
    },
    'POST /v1/websites/{id}/cron-jobs/{jobId}/run': {
      make: async (w) => ({ url: `${base(w)}/${await job(w)}/run`, payload: {} }),
      expect: { super_admin: same(202), reseller: [202, 404], customer: [202, 404], technical_user: same(403) },
    },
  };

  // A 500 in a cell is a bug: print what the host logged with it.
  t.teardown(() => {
    const errors = stack.host.logs().filter((l) => Number(l.level) >= 50);
    if (errors.length) console.error('DEBUGLOG', JSON.stringify(errors).slice(0, 3000));
  });
  checkAuthorizationTable(t, stack.host, stack.trees.actors, /^\/v1\/websites\/\{id\}\/cron-jobs/, TABLE);

  t.test('a job id of another site reads as missing, even for the admin', async (t) => {
    const id = await job('foreign');
    t.equal((await admin.get(`${base('own')}/${id}`)).status, 404);
    t.equal((await admin.del(`${base('own')}/${id}`)).status, 404);
    t.equal((await admin.post(`${base('own')}/${id}/run`, {})).status, 404);
  });
}
