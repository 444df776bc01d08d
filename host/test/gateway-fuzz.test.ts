/**
 * No input is a server error. Every route of a host with every first-party plugin enabled, read
 * from its own OpenAPI document, gets NUL bytes, lone surrogates, overlong strings, wrong types
 * and huge numbers in each path parameter, query parameter and body field, anonymously and as
 * each role; any answer ≥ 500 fails, naming the route and the input. A route added later is
 * covered by being in the document.
 */
import t from 'tap';
import { startFirstPartyHost, type Caller } from './helpers/first-party.js';
import { casesOf, operationsOf, type FuzzCase, type OpenApiDocument, type Operation } from './helpers/fuzz-inputs.js';

const BODY_LIMIT = 1024 * 1024;
const CALLERS: Caller[] = ['anonymous', 'customer', 'reseller', 'super_admin'];

const { host, headers } = await startFirstPartyHost(t);

t.test('NUL and lone surrogates are refused at the gateway as 400s naming the field', async (t) => {
  const search = await host.inject({ method: 'GET', url: '/v1/users/?search=%00', headers: headers.super_admin });
  t.equal(search.statusCode, 400);
  t.match(search.json(), { error: { code: 'HOST_ERR_VALIDATION', details: [{ field: '/query/search' }] } });

  const login = await host.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: 'a\u0000@example.com', password: 'x' },
  });
  t.equal(login.statusCode, 400);
  t.match(login.json(), { error: { code: 'HOST_ERR_VALIDATION', details: [{ field: '/body/email', message: /NUL/ }] } });

  const surrogate = await host.inject({
    method: 'POST',
    url: '/v1/auth/forgot-password',
    headers: { 'content-type': 'application/json' },
    payload: '{"email":"a\\ud800@example.com"}',
  });
  t.equal(surrogate.statusCode, 400);
  t.match(surrogate.json(), {
    error: { code: 'HOST_ERR_VALIDATION', details: [{ field: '/body/email', message: /surrogate/ }] },
  });

  const emoji = await host.inject({
    method: 'POST',
    url: '/v1/auth/forgot-password',
    payload: { email: 'a\u{1F600}@example.com' },
  });
  t.not(emoji.json().error?.code, 'HOST_ERR_VALIDATION', 'a surrogate pair (an emoji) is text like any other');

  const key = await host.inject({
    method: 'PUT',
    url: '/v1/plugins/hello/config',
    headers: headers.super_admin,
    payload: { '\u0000': 1 },
  });
  t.equal(key.statusCode, 400);
  t.match(key.json(), { error: { code: 'HOST_ERR_VALIDATION', details: [{ field: '/body', message: /property name/ }] } });
});

/** Ids of things that exist, by path parameter, read from the collection each route sits under. */
async function realIdsFor(op: Operation): Promise<Record<string, string>> {
  if (op.path.startsWith('/v1/plugins/')) return { id: 'hello' };
  const collection = op.path.slice(0, op.path.indexOf('{'));
  if (!op.path.includes('{')) return {};
  for (const url of [collection, collection.replace(/\/$/, '')]) {
    const res = await host.inject({ method: 'GET', url, headers: headers.super_admin });
    if (res.statusCode !== 200) continue;
    const body = res.json() as unknown;
    const list = Array.isArray(body) ? body : Object.values(body as object).find(Array.isArray);
    const last = (list as Array<{ id?: unknown }> | undefined)?.at(-1);
    const name = /\{([^}]+)\}/.exec(op.path)![1]!;
    if (last && typeof last.id === 'string') return { [name]: encodeURIComponent(last.id) };
  }
  return {};
}

interface Failure {
  route: string;
  caller: Caller;
  input: string;
  status: number;
  body: string;
}

async function send(op: Operation, caller: Caller, c: FuzzCase): Promise<Failure | null>;
async function send(op: Operation, caller: Caller, c: FuzzCase, statusOnly: true): Promise<number>;
async function send(op: Operation, caller: Caller, c: FuzzCase, statusOnly = false): Promise<Failure | null | number> {
  const res = await host.inject({
    method: op.method as 'GET',
    url: c.url,
    headers: { ...headers[caller], ...(c.rawBody !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(c.rawBody !== undefined ? { payload: c.rawBody } : c.payload !== undefined ? { payload: c.payload as object } : {}),
  });
  if (statusOnly) return res.statusCode;
  if (res.statusCode < 500) return null;
  return { route: `${op.method} ${op.path}`, caller, input: c.what, status: res.statusCode, body: res.body.slice(0, 300) };
}

/** Run `jobs` with at most `width` at a time (the handlers wait on PostgreSQL). */
async function pool<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        results.push(await job());
      }
    }),
  );
  return results;
}

t.test('every route answers hostile input below 500, anonymously and as each role', async (t) => {
  const doc = (await host.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as OpenApiDocument;
  const operations = operationsOf(doc).filter((op) => op.path.startsWith('/v1/'));
  t.ok(operations.length > 50, `the document lists the first-party routes (${operations.length})`);
  for (const plugin of ['/v1/auth/', '/v1/users/', '/v1/packages/', '/v1/subscriptions/', '/v1/websites/', '/v1/plugins']) {
    t.ok(
      operations.some((op) => op.path.startsWith(plugin)),
      `${plugin} routes are in the document`,
    );
  }

  const started = Date.now();
  let sent = 0;
  const failures: Failure[] = [];
  // Anonymous first and the administrator last: whatever a call does to the demo data (a
  // suspension, a changed name) then happens as late as possible.
  for (const caller of CALLERS) {
    for (const op of operations) {
      const { base, cases: all } = casesOf(op, await realIdsFor(op), BODY_LIMIT);
      if (all.length === 0) continue;
      // A plausible request that gets 401 as anonymous means no handler code runs for anonymous
      // callers (the schema answers first, then the guard): the text attacks are enough there.
      // Only anonymous is probed: a plausible request as a signed-in role may really do things.
      const refused = caller === 'anonymous' && (await send(op, caller, base, true)) === 401;
      const cases = refused ? all.filter((c) => /NUL|surrogate|past the body limit/.test(c.what)) : all;
      sent += cases.length;
      const found = await pool(
        cases.map((c) => () => send(op, caller, c)),
        4,
      );
      failures.push(...found.filter((f): f is Failure => f !== null));
    }
  }
  t.comment(`${sent} requests in ${Date.now() - started} ms`);
  const lines = failures.map((f) => `${f.route} as ${f.caller}, ${f.input}: ${f.status} ${f.body}`);
  t.same(lines, [], 'no answer ≥ 500');
});
