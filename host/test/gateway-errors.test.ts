import { CommonErrors, Type, type RouteRegistrar } from '@hostplane/sdk';
import t, { type Test } from 'tap';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { EXPIRED_TOKEN, routesPlugin, tokenAuthPlugin, USER } from './helpers/plugins.js';

const widgets: RouteRegistrar = (app) => {
  app.post(
    '/',
    {
      config: { public: true },
      schema: {
        body: Type.Object({ name: Type.String({ minLength: 1 }), count: Type.Integer() }, { additionalProperties: false }),
      },
    },
    async (request) => ({ name: request.body.name, count: request.body.count }),
  );
  app.get(
    '/search',
    {
      config: { public: true },
      schema: { querystring: Type.Object({ limit: Type.Integer({ maximum: 10 }) }, { additionalProperties: false }) },
    },
    async (request) => ({ limit: request.query.limit }),
  );
  app.get('/boom', { config: { public: true } }, async () => {
    throw new Error('pool exhausted at db-7.internal');
  });
  app.get('/conflict', { config: { public: true } }, async () => {
    throw CommonErrors.conflict('the widget already exists');
  });
  app.get('/private', { config: { permission: 'widgets.widget.read' } }, async () => ({ ok: true }));
  app.get('/item/:id', { config: { public: true } }, async (request) => request.params);
};

const { kernel } = await bootKernel(t, {
  plugins: [
    routesPlugin('widgets', widgets, { rbac: { 'widgets.widget.read': { description: 'Read widgets', roles: [] } } }),
    tokenAuthPlugin({ reader: { userId: USER.reader, role: 'customer' } }),
  ],
});
// One host for the file; its body limit is small so a few kilobytes exceed it.
const gateway = await startGateway(t, kernel, { bodyLimit: 1024 });
const { host } = gateway;

interface ErrorJson {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

/** The error shape, with the request id of the body equal to the header's. */
function errorOf(t: Test, res: { statusCode: number; headers: Record<string, unknown>; body: string }): ErrorJson['error'] {
  t.match(res.headers['content-type'], /^application\/json/);
  const body = JSON.parse(res.body) as ErrorJson;
  t.type(body.error.code, 'string');
  t.type(body.error.message, 'string');
  t.ok(res.headers['x-request-id'], 'x-request-id header is set');
  t.equal(body.error.requestId, res.headers['x-request-id'], 'body and header carry the same request id');
  return body.error;
}

t.test('every kind of error has the error shape and the request id', async (t) => {
  const cases: Array<{ name: string; status: number; code: string; request: Parameters<typeof host.inject>[0] }> = [
    {
      name: 'validation',
      status: 400,
      code: 'HOST_ERR_VALIDATION',
      request: { method: 'POST', url: '/v1/widgets', payload: { name: 'a' } },
    },
    {
      name: 'malformed JSON',
      status: 400,
      code: 'HOST_ERR_MALFORMED_JSON',
      request: { method: 'POST', url: '/v1/widgets', headers: { 'content-type': 'application/json' }, payload: '{"name": "a",' },
    },
    {
      name: 'empty JSON body',
      status: 400,
      code: 'HOST_ERR_MALFORMED_JSON',
      request: { method: 'POST', url: '/v1/widgets', headers: { 'content-type': 'application/json' }, payload: '' },
    },
    {
      name: 'oversized body',
      status: 413,
      code: 'HOST_ERR_BODY_TOO_LARGE',
      request: { method: 'POST', url: '/v1/widgets', payload: { name: 'x'.repeat(4096), count: 1 } },
    },
    {
      name: 'unsupported media type',
      status: 415,
      code: 'HOST_ERR_UNSUPPORTED_MEDIA_TYPE',
      request: { method: 'POST', url: '/v1/widgets', headers: { 'content-type': 'application/xml' }, payload: '<a/>' },
    },
    {
      name: 'bad URL encoding',
      status: 400,
      code: 'HOST_ERR_BAD_REQUEST',
      request: { method: 'GET', url: '/v1/widgets/item/%E0%A4%A' },
    },
    { name: 'unknown route', status: 404, code: 'HOST_ERR_NOT_FOUND', request: { method: 'GET', url: '/v1/nothing-here' } },
    { name: 'unexpected throw', status: 500, code: 'HOST_ERR_INTERNAL', request: { method: 'GET', url: '/v1/widgets/boom' } },
    { name: 'HostplaneError', status: 409, code: 'COMMON_ERR_CONFLICT', request: { method: 'GET', url: '/v1/widgets/conflict' } },
    {
      name: 'anonymous',
      status: 401,
      code: 'COMMON_ERR_UNAUTHENTICATED',
      request: { method: 'GET', url: '/v1/widgets/private' },
    },
    {
      name: 'missing permission',
      status: 403,
      code: 'COMMON_ERR_FORBIDDEN',
      request: { method: 'GET', url: '/v1/widgets/private', headers: bearer('reader') },
    },
    {
      name: 'authenticator refuses',
      status: 401,
      code: 'AUTH_ERR_TOKEN_EXPIRED',
      request: { method: 'GET', url: '/v1/widgets/private', headers: bearer(EXPIRED_TOKEN) },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const res = await host.inject(c.request);
      t.equal(res.statusCode, c.status);
      t.equal(errorOf(t, res).code, c.code);
    });
  }
});

t.test('a wrong type is refused with 400 naming the field', async (t) => {
  const res = await host.inject({ method: 'POST', url: '/v1/widgets', payload: { name: 'a', count: 'many' } });
  t.equal(res.statusCode, 400);
  const error = errorOf(t, res);
  t.equal(error.code, 'HOST_ERR_VALIDATION');
  t.match(error.message, '/body/count');
  t.same(error.details, [{ field: '/body/count', message: 'must be integer' }]);
});

t.test('an unknown field is refused, not silently dropped', async (t) => {
  const res = await host.inject({ method: 'POST', url: '/v1/widgets', payload: { name: 'a', count: 1, admin: true } });
  t.equal(res.statusCode, 400);
  const error = errorOf(t, res);
  t.equal(error.code, 'HOST_ERR_VALIDATION');
  t.match(error.message, '/body/admin');
  t.same(error.details, [{ field: '/body/admin', message: 'is not allowed' }]);
});

t.test('a missing field is named', async (t) => {
  const res = await host.inject({ method: 'POST', url: '/v1/widgets', payload: { count: 1 } });
  t.same(errorOf(t, res).details, [{ field: '/body/name', message: 'is required' }]);
});

t.test('query string fields are named under /query', async (t) => {
  const res = await host.inject({ method: 'GET', url: '/v1/widgets/search?limit=50' });
  t.equal(res.statusCode, 400);
  t.same(errorOf(t, res).details, [{ field: '/query/limit', message: 'must be <= 10' }]);
  const ok = await host.inject({ method: 'GET', url: '/v1/widgets/search?limit=5' });
  t.same(ok.json(), { limit: 5 });
});

t.test('a valid body passes', async (t) => {
  const res = await host.inject({ method: 'POST', url: '/v1/widgets', payload: { name: 'a', count: 2 } });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { name: 'a', count: 2 });
});

t.test('an unexpected error answers generically; the stack goes to the log under the request id', async (t) => {
  const res = await host.inject({ method: 'GET', url: '/v1/widgets/boom', headers: { 'x-request-id': 'trace-500' } });
  t.equal(res.statusCode, 500);
  const error = errorOf(t, res);
  t.equal(error.message, 'Internal server error');
  t.notMatch(res.body, 'db-7.internal', 'the cause does not leak to the caller');
  const logged = gateway.logs().find((line) => line.requestId === 'trace-500' && line.err !== undefined);
  t.ok(logged, 'the failure is logged with the request id');
  t.match((logged?.err as { stack?: string } | undefined)?.stack, 'pool exhausted at db-7.internal');
});
