/**
 * Every uptime route × every role × own/foreign check → expected status (compared with the
 * routes the host publishes, so a new route without a row fails), then bad input: every
 * refusal is a 4xx with its code, and parallel requests cannot pass the per-site limit.
 */
import t from 'tap';
import { checkAuthorizationTable, type AuthorizationCase, type Which } from '../../accounts/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t, { uptime: { maxChecksPerSite: 100, minimumIntervalMinutes: 5 } });
  const { admin, host, trees } = stack;
  const sites = { own: await stack.site('own'), foreign: await stack.site('foreign') };
  let n = 0;
  /** A new check of the site, made by the admin: each cell acts on its own. */
  const check = async (w: Which): Promise<string> => {
    n += 1;
    const res = await admin.post('/v1/uptime/checks', { websiteId: sites[w].id, path: `/c${n}` });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  };
  const same = (code: number): [number, number] => [code, code];
  const read: AuthorizationCase['expect'] = {
    super_admin: same(200),
    reseller: [200, 404],
    customer: [200, 404],
    technical_user: same(404),
  };
  const TABLE: Record<string, AuthorizationCase> = {
    'GET /v1/uptime/checks': {
      make: async () => ({ url: '/v1/uptime/checks' }),
      expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
    },
    'POST /v1/uptime/checks': {
      make: async (w) => {
        n += 1;
        return { url: '/v1/uptime/checks', payload: { websiteId: sites[w].id, path: `/p${n}` } };
      },
      expect: { super_admin: same(201), reseller: [201, 404], customer: [201, 404], technical_user: same(403) },
    },
    'GET /v1/uptime/checks/{id}': { make: async (w) => ({ url: `/v1/uptime/checks/${await check(w)}` }), expect: read },
    'GET /v1/uptime/checks/{id}/days': { make: async (w) => ({ url: `/v1/uptime/checks/${await check(w)}/days` }), expect: read },
    'PATCH /v1/uptime/checks/{id}': {
      make: async (w) => ({ url: `/v1/uptime/checks/${await check(w)}`, payload: { enabled: false } }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    'POST /v1/uptime/checks/{id}/run': {
      make: async (w) => ({ url: `/v1/uptime/checks/${await check(w)}/run`, payload: {} }),
      expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
    },
    'DELETE /v1/uptime/checks/{id}': {
      make: async (w) => ({ url: `/v1/uptime/checks/${await check(w)}` }),
      expect: { super_admin: same(204), reseller: [204, 404], customer: [204, 404], technical_user: same(403) },
    },
    'GET /v1/uptime/metrics': {
      make: async () => ({ url: '/v1/uptime/metrics' }),
      expect: { super_admin: same(200), reseller: same(403), customer: same(403), technical_user: same(403) },
    },
  };
  checkAuthorizationTable(t, host, trees.actors, /^\/v1\/uptime\//, TABLE);

  t.test('a customer lists only their own checks', async (t) => {
    const own = await check('own');
    const foreign = await check('foreign');
    const ids = (await stack.caller(trees.customerA).get('/v1/uptime/checks?limit=200')).body.items.map(
      (c: { id: string }) => c.id,
    );
    t.ok(ids.includes(own));
    t.notOk(ids.includes(foreign));
  });

  t.test('bad input: a 4xx with its code, nothing stored', async (t) => {
    const customer = stack.caller(trees.customerA);
    const post = (body: Record<string, unknown>) => customer.post('/v1/uptime/checks', { websiteId: sites.own.id, ...body });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ intervalMinutes: 1 }, 400, 'UPTIME_ERR_INTERVAL_TOO_SHORT'],
      [{ intervalMinutes: 7 }, 400, 'VALIDATION'],
      [{ path: 'no-slash' }, 400, 'UPTIME_ERR_INVALID_PATH'],
      [{ path: '//evil.example/' }, 400, 'UPTIME_ERR_INVALID_PATH'],
      [{ path: '/a b' }, 400, 'UPTIME_ERR_INVALID_PATH'],
      [{ path: '/nul\u0000' }, 400, 'VALIDATION'],
      [{ path: '/café' }, 400, 'UPTIME_ERR_INVALID_PATH'],
      [{ path: '/x#frag' }, 400, 'UPTIME_ERR_INVALID_PATH'],
      [{ path: `/${'a'.repeat(2000)}` }, 400, 'VALIDATION'],
      [{ keyword: 'k'.repeat(201) }, 400, 'VALIDATION'],
      [{ protocol: 'ftp' }, 400, 'VALIDATION'],
      [{ websiteId: 'not-a-uuid' }, 400, 'VALIDATION'],
      [{ websiteId: sites.foreign.id }, 404, 'UPTIME_ERR_WEBSITE_NOT_FOUND'],
      [{ websiteId: '00000000-0000-4000-8000-000000000000' }, 404, 'UPTIME_ERR_WEBSITE_NOT_FOUND'],
      [{ extra: true }, 400, 'VALIDATION'],
    ];
    const before = (await customer.get('/v1/uptime/checks?limit=200')).body.total;
    for (const [body, status, code] of cases) {
      const res = await post(body);
      t.equal(res.status, status, JSON.stringify(body).slice(0, 60));
      t.match(res.body?.error?.code ?? '', code.startsWith('UPTIME') ? code : /./, JSON.stringify(res.body).slice(0, 200));
    }
    t.equal((await customer.get('/v1/uptime/checks?limit=200')).body.total, before, 'nothing stored');
    t.equal((await post({ path: '/dup' })).status, 201);
    const dup = await post({ path: '/dup' });
    t.equal(dup.status, 409);
    t.equal(dup.body.error.code, 'UPTIME_ERR_DUPLICATE');
    const id = (await customer.get('/v1/uptime/checks?limit=1')).body.items[0].id;
    t.equal((await customer.patch(`/v1/uptime/checks/${id}`, {})).status, 400, 'an empty change');
    t.equal((await customer.patch(`/v1/uptime/checks/${id}`, { path: 'x' })).body.error.code, 'UPTIME_ERR_INVALID_PATH');
    t.equal((await customer.get('/v1/uptime/checks/not-a-uuid')).status, 400);
    t.equal((await customer.get('/v1/uptime/checks?limit=100000')).status, 400);
  });

  t.test('parallel requests cannot pass the per-site limit', async (t) => {
    await host.kernel.setConfig('uptime', {
      connectTo: `127.0.0.1:${stack.port}`,
      minimumIntervalMinutes: 5,
      maxChecksPerSite: 20,
    });
    const fresh = await stack.site('own');
    const customer = stack.caller(trees.customerA);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => customer.post('/v1/uptime/checks', { websiteId: fresh.id, path: `/race${i}` })),
    );
    t.equal(results.filter((r) => r.status === 201).length, 20, 'exactly the limit');
    t.ok(
      results
        .filter((r) => r.status !== 201)
        .every((r) => r.status === 409 && r.body.error.code === 'UPTIME_ERR_TOO_MANY_CHECKS'),
      'the rest refused with a code',
    );
  });
}
