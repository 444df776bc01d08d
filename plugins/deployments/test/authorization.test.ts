/**
 * Every deployments route × every role × own/foreign website → expected status. The table is
 * compared with the routes the host publishes in /v1/openapi.json, so a new route without a row
 * fails. Customers manage only their own sites' deployments, resellers their tree's, admins all;
 * a technical user owns no site, so it sees none, and may change nothing. (The public webhook
 * route is checked by signature in webhook.test.ts.)
 */
import t from 'tap';
import { checkAuthorizationTable, type AuthorizationCase, type Which } from '../../accounts/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t);
  const { admin } = stack;
  const sites = { own: await stack.site('own'), foreign: await stack.site('foreign') };
  const base = (w: Which) => `/v1/websites/${sites[w].id}/deployments`;
  // A repository that does not exist: the deployments the table queues fail fast, touching nothing.
  const connection = { repositoryUrl: 'file:///nonexistent/hostplane/repo.git', branch: 'main' };
  const connect = async (w: Which) => {
    const res = await admin.call('PUT', `${base(w)}/connection`, connection);
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  };
  /** A succeeded deployment of the site, as if deployed: each rollback cell has its own. */
  const deployment = async (w: Which): Promise<string> => {
    const [row] = (await stack
      .sql('plugin_deployments.deployments')
      .insert({
        website_id: sites[w].id,
        owner_id: (await stack.sql('plugin_websites.websites').where({ id: sites[w].id }).first()).owner_id,
        trigger: 'manual',
        status: 'succeeded',
        branch: 'main',
        release: '20260101T000000Z-0000beef',
        finished_at: new Date(),
      })
      .returning('id')) as Array<{ id: string }>;
    return row!.id;
  };
  await connect('own');
  await connect('foreign');

  const same = (code: number): [number, number] => [code, code];
  const read = { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) } as const;
  const write = (code: number) =>
    ({
      super_admin: same(code),
      reseller: [code, 404],
      customer: [code, 404],
      technical_user: same(403),
    }) as AuthorizationCase['expect'];
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/websites/{id}/deployments': { make: async (w) => ({ url: base(w) }), expect: read as AuthorizationCase['expect'] },
    'POST /v1/websites/{id}/deployments': { make: async (w) => ({ url: base(w), payload: {} }), expect: write(202) },
    'GET /v1/websites/{id}/deployments/{deploymentId}': {
      make: async (w) => ({ url: `${base(w)}/${await deployment(w)}` }),
      expect: read as AuthorizationCase['expect'],
    },
    // A finished deployment: the stream sends its log and ends at once.
    'GET /v1/websites/{id}/deployments/{deploymentId}/log': {
      make: async (w) => ({ url: `${base(w)}/${await deployment(w)}/log` }),
      expect: read as AuthorizationCase['expect'],
    },
    'POST /v1/websites/{id}/deployments/{deploymentId}/rollback': {
      make: async (w) => ({ url: `${base(w)}/${await deployment(w)}/rollback`, payload: {} }),
      expect: write(202),
    },
    'GET /v1/websites/{id}/deployments/connection': {
      make: async (w) => ({ url: `${base(w)}/connection` }),
      expect: read as AuthorizationCase['expect'],
    },
    'PUT /v1/websites/{id}/deployments/connection': {
      make: async (w) => ({ url: `${base(w)}/connection`, payload: connection }),
      expect: write(200),
    },
    'DELETE /v1/websites/{id}/deployments/connection': {
      make: async (w) => {
        await connect(w);
        return { url: `${base(w)}/connection` };
      },
      expect: write(204),
    },
    'POST /v1/websites/{id}/deployments/connection/webhook-secret': {
      make: async (w) => {
        await connect(w);
        return { url: `${base(w)}/connection/webhook-secret`, payload: {} };
      },
      expect: write(200),
    },
  };

  // A 500 in a cell is a bug: print what the host logged with it.
  t.teardown(() => {
    const errors = stack.host.logs().filter((l) => Number(l.level) >= 50);
    if (errors.length) console.error('DEBUGLOG', JSON.stringify(errors).slice(0, 3000));
  });
  checkAuthorizationTable(t, stack.host, stack.trees.actors, /^\/v1\/websites\/\{id\}\/deployments/, TABLE);

  t.test('a deployment id of another site reads as missing, even for the admin', async (t) => {
    const id = await deployment('foreign');
    t.equal((await admin.get(`${base('own')}/${id}`)).status, 404);
    t.equal((await admin.post(`${base('own')}/${id}/rollback`)).status, 404);
  });
}
