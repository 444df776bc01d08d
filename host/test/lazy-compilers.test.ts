// Route schemas compile on first use (host/src/server/lazy-compilers.ts): validation and
// serialization must stay exactly what Fastify's own compilers do, and a schema that is not a
// JSON Schema must still fail at ready(), as it did when everything compiled there.
import Fastify from 'fastify';
import t from 'tap';
import { lazySchemaCompilers } from '../src/server/lazy-compilers.js';

function app() {
  const fastify = Fastify({
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: lazySchemaCompilers() },
  });
  t.teardown(() => fastify.close());
  return fastify;
}

t.test('validation: coercion, defaults, refusal of unknown fields, as with eager compilation', async (t) => {
  const fastify = app();
  fastify.post(
    '/items/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        querystring: { type: 'object', properties: { page: { type: 'integer', default: 1 } } },
        body: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 } },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    async (request) => ({ params: request.params, query: request.query, body: request.body }),
  );
  const ok = await fastify.inject({ method: 'POST', url: '/items/7', payload: { name: 'a' } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { params: { id: 7 }, query: { page: 1 }, body: { name: 'a' } }, 'params coerced, default filled');
  const extra = await fastify.inject({ method: 'POST', url: '/items/7', payload: { name: 'a', admin: true } });
  t.equal(extra.statusCode, 400, 'an unknown field is refused, not stripped');
  t.match(extra.json().message, 'must NOT have additional properties');
  const badParam = await fastify.inject({ method: 'POST', url: '/items/x', payload: { name: 'a' } });
  t.equal(badParam.statusCode, 400);
  t.match(badParam.json().message, 'params/id must be integer');
  const again = await fastify.inject({ method: 'POST', url: '/items/8?page=3', payload: { name: 'b' } });
  t.same(again.json().query, { page: 3 }, 'the compiled validator is reused on later requests');
});

t.test('header schemas match whatever case their names are written in', async (t) => {
  const fastify = app();
  fastify.get(
    '/h',
    {
      schema: {
        headers: { type: 'object', properties: { 'X-Tenant': { type: 'string', pattern: '^[a-z]+$' } }, required: ['X-Tenant'] },
      },
    },
    async () => ({ ok: true }),
  );
  t.equal((await fastify.inject({ url: '/h', headers: { 'x-tenant': 'acme' } })).statusCode, 200);
  t.equal((await fastify.inject({ url: '/h', headers: { 'X-Tenant': 'ACME' } })).statusCode, 400);
  t.equal((await fastify.inject({ url: '/h' })).statusCode, 400, 'a required header is still required');
});

t.test('responses are serialized by their schema: fields it does not name never leave', async (t) => {
  const fastify = app();
  fastify.get(
    '/user',
    { schema: { response: { 200: { type: 'object', properties: { id: { type: 'string' } } } } } },
    async () => ({ id: 'u1', passwordHash: 'secret' }),
  );
  const res = await fastify.inject({ url: '/user' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { id: 'u1' });
});

t.test('a schema that is not a JSON Schema fails at ready(), naming the route', async (t) => {
  const fastify = app();
  fastify.post('/bad', { schema: { body: { type: 'object', properties: { a: { type: 'no-such-type' } } } } }, async () => ({}));
  await t.rejects(fastify.ready(), /Failed building the validation schema for POST: \/bad, due to error schema is invalid/);
});

t.test('a response schema that is not a JSON Schema fails at ready() too', async (t) => {
  const fastify = app();
  fastify.get('/bad', { schema: { response: { 200: { type: 'objekt' } } } }, async () => ({}));
  await t.rejects(fastify.ready(), /schema is invalid/);
});

t.test('nothing is compiled until a route is called', async (t) => {
  const fastify = app();
  // Valid JSON Schema, but its $ref names a schema nobody added: Ajv fails only when compiling.
  fastify.post('/later', { schema: { body: { $ref: 'urn:nowhere#' } } }, async () => ({}));
  fastify.get('/fine', async () => ({ ok: true }));
  await fastify.ready();
  t.pass('ready() did not compile the route');
  t.equal((await fastify.inject({ url: '/fine' })).statusCode, 200, 'other routes are unaffected');
  t.equal((await fastify.inject({ method: 'POST', url: '/later', payload: {} })).statusCode, 500);
});

t.test('the compilers themselves load on the first compile, not when the app is made', async (t) => {
  // A fresh process: this one has loaded Ajv long ago. Same loader flags as this test's.
  const probe = `
    import { createRequire } from 'node:module';
    import Fastify from 'fastify';
    import { lazySchemaCompilers } from '@hostplane/core';
    const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
    const loaded = () => fastifyRequire.resolve('@fastify/ajv-compiler') in fastifyRequire.cache;
    const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
    app.get('/n', { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } }, async (r) => r.query);
    await app.ready();
    const before = loaded();
    const answer = await app.inject({ url: '/n?n=4' });
    console.log(JSON.stringify({ before, after: loaded(), body: answer.json() }));
    await app.close();
  `;
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, '--input-type=module', '-e', probe], {
    cwd: new URL('.', import.meta.url).pathname,
  });
  t.same(JSON.parse(stdout.trim().split('\n').pop()!), { before: false, after: true, body: { n: 4 } });
});

t.test('JSON bodies are taken as typed: 0 stays 0 against null | integer, "5" is no integer', async (t) => {
  const fastify = app();
  const NullableInt = { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 0 }] };
  fastify.post(
    '/limits',
    {
      schema: {
        querystring: { type: 'object', properties: { page: { type: 'integer' } } },
        body: { type: 'object', properties: { n: NullableInt, m: { type: 'integer' } }, additionalProperties: false },
      },
    },
    async (request) => ({ body: request.body, query: request.query }),
  );
  const zero = await fastify.inject({ method: 'POST', url: '/limits?page=2', payload: { n: 0, m: 1 } });
  t.same(zero.json(), { body: { n: 0, m: 1 }, query: { page: 2 } }, '0 is not read as null; the query string is still coerced');
  const none = await fastify.inject({ method: 'POST', url: '/limits', payload: { n: null } });
  t.same(none.json().body, { n: null });
  const text = await fastify.inject({ method: 'POST', url: '/limits', payload: { m: '5' } });
  t.equal(text.statusCode, 400, 'a string is not an integer in JSON');
});
