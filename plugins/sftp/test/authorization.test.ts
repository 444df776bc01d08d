/**
 * Every sftp route × every role × own/foreign website → expected status. The table is compared
 * with the routes the host publishes in /v1/openapi.json, so a new route without a row fails.
 * Customers manage only their own sites' accounts, resellers their tree's, admins all; a
 * technical user owns no site, so it sees none, and may change nothing.
 */
import t from 'tap';
import { checkAuthorizationTable, type AuthorizationCase, type Which } from '../../accounts/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real sshd + sftp client: ${missing}`);
} else {
  // Real daemons, system users and site convergence: more than the suite's 120 s on a busy machine.
  t.setTimeout(360_000);
  const stack = await startStack(t, { sftp: { accountsPerSite: 100 } });
  const { admin } = stack;
  const sites = { own: await stack.site('own'), foreign: await stack.site('foreign') };
  const key = (await stack.keyPair()).publicKey;
  let n = 0;
  const fresh = () => `a${(n += 1)}`;
  /** A new account of the site, made by the admin: each cell acts on its own. */
  const account = async (w: Which): Promise<string> => {
    const res = await admin.post(`/v1/websites/${sites[w].id}/sftp-accounts`, { name: fresh(), publicKeys: [key] });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  };
  const base = (w: Which) => `/v1/websites/${sites[w].id}/sftp-accounts`;

  const same = (code: number): [number, number] => [code, code];
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/websites/{id}/sftp-accounts': {
      make: async (w) => ({ url: base(w) }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'POST /v1/websites/{id}/sftp-accounts': {
      make: async (w) => ({ url: base(w), payload: { name: fresh(), publicKeys: [key] } }),
      expect: { super_admin: same(201), reseller: [201, 404], customer: [201, 404], technical_user: same(403) },
    },
    'GET /v1/websites/{id}/sftp-accounts/{accountId}': {
      make: async (w) => ({ url: `${base(w)}/${await account(w)}` }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
    },
    'PATCH /v1/websites/{id}/sftp-accounts/{accountId}': {
      make: async (w) => ({ url: `${base(w)}/${await account(w)}`, payload: { generatePassword: true } }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    'DELETE /v1/websites/{id}/sftp-accounts/{accountId}': {
      make: async (w) => ({ url: `${base(w)}/${await account(w)}` }),
      expect: { super_admin: same(204), reseller: [204, 404], customer: [204, 404], technical_user: same(403) },
    },
  };

  checkAuthorizationTable(t, stack.host, stack.trees.actors, /^\/v1\/websites\/\{id\}\/sftp-accounts/, TABLE);

  t.test('an account id of another site reads as missing, even for the admin', async (t) => {
    const id = await account('foreign');
    t.equal((await admin.get(`${base('own')}/${id}`)).status, 404);
    t.equal((await admin.del(`${base('own')}/${id}`)).status, 404);
    t.equal((await admin.get(`${base('foreign')}/${id}`)).status, 200);
  });
}
