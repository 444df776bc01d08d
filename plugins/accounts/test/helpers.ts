/** Test helpers: users made in SQL, a caller per user, JSON requests. */
import knexFactory, { type Knex } from 'knex';
import type { Role } from '@hostplane/sdk';
import type { TestHost } from '@hostplane/sdk/testing';
import type { Test } from 'tap';

export interface TestUser {
  id: string;
  role: Role;
  email: string;
}

let counter = 0;

/** A knex connection to the test host's database (closed on host teardown by the caller). */
export function sqlOf(host: TestHost): Knex {
  return knexFactory({ client: 'pg', connection: host.databaseUrl, pool: { min: 0, max: 4 } });
}

/** Insert a user directly (as `hostplane seed` would have). */
export async function makeUser(
  sql: Knex,
  role: Role,
  parent: TestUser | null = null,
  extra: { email?: string; name?: string } = {},
): Promise<TestUser> {
  counter += 1;
  const email = extra.email ?? `${role}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const [row] = (await sql('hostplane.users')
    .insert({ email, name: extra.name ?? `${role} ${counter}`, role, parent_id: parent?.id ?? null })
    .returning('id')) as Array<{ id: string }>;
  return { id: (row as { id: string }).id, role, email };
}

/** Call the API as `user` (or an admin when `user` is a role name). */
export function caller(host: TestHost, user: TestUser) {
  const headers = host.headersFor(user.role, { userId: user.id });
  const call = async (method: string, url: string, payload?: unknown) => {
    const res = await host.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    // Response bodies are checked by the assertions that read them, not by types.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as any) : undefined };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload?: unknown) => call('POST', url, payload ?? {}),
    patch: (url: string, payload: unknown) => call('PATCH', url, payload),
    del: (url: string) => call('DELETE', url),
    call,
  };
}

/** A package body with sensible defaults. */
export function packageBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Pkg',
    currency: 'EUR',
    prices: { monthly: 500, quarterly: 1400, yearly: 5000 },
    limits: {
      disk_mb: 1000,
      bandwidth_gb: 10,
      websites: 2,
      domains: 2,
      databases: 2,
      email_accounts: 5,
      cron_jobs: 2,
      backups: 3,
    },
    features: { ssh: true, php_versions: ['8.2', '8.3'] },
    ...overrides,
  };
}

/** Two trees under one admin: A's side is "own" for A's reseller, customer and technical user. */
export async function twoTrees(sql: Knex) {
  const admin = await makeUser(sql, 'super_admin');
  const resellerA = await makeUser(sql, 'reseller', admin);
  const customerA = await makeUser(sql, 'customer', resellerA);
  const techA = await makeUser(sql, 'technical_user', customerA);
  const resellerB = await makeUser(sql, 'reseller', admin);
  const customerB = await makeUser(sql, 'customer', resellerB);
  const actors: Record<Role, TestUser> = { super_admin: admin, reseller: resellerA, customer: customerA, technical_user: techA };
  return { admin, resellerA, customerA, techA, resellerB, customerB, actors };
}

export type Which = 'own' | 'foreign';

/** One row of an authorization table. */
export interface AuthorizationCase {
  /** Builds the request for one cell: a fresh resource, so cells do not depend on each other. */
  make(which: Which, role: Role): Promise<{ url: string; payload?: unknown }>;
  /** Expected status per role: [own, foreign]. */
  expect: Record<Role, [number, number]>;
}

/**
 * Every route × every role × own/foreign resource → expected status. The table must list
 * exactly the routes under `paths` that the host publishes in /v1/openapi.json, so a new route
 * without a row fails; each route also answers 401 to an anonymous caller.
 */
export function checkAuthorizationTable(
  t: Test,
  host: TestHost,
  actors: Record<Role, TestUser>,
  paths: RegExp,
  table: Record<string, AuthorizationCase>,
): void {
  t.test('the table covers exactly the routes the plugin serves', async (t) => {
    const res = await host.inject({ method: 'GET', url: '/v1/openapi.json' });
    t.equal(res.statusCode, 200);
    const doc = res.json<{ paths: Record<string, Record<string, unknown>> }>();
    const served: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!paths.test(path)) continue;
      for (const method of Object.keys(methods)) served.push(`${method.toUpperCase()} ${path.replace(/\/$/, '')}`);
    }
    t.same(served.sort(), Object.keys(table).sort());
  });

  for (const [route, rule] of Object.entries(table)) {
    t.test(route, async (t) => {
      const method = route.split(' ')[0] as string;
      const anonymous = await rule.make('own', 'super_admin');
      const anon = await host.inject({
        method,
        url: anonymous.url,
        ...(anonymous.payload ? { payload: anonymous.payload } : {}),
      });
      t.equal(anon.statusCode, 401, 'anonymous');
      for (const role of Object.keys(actors) as Role[]) {
        for (const [i, which] of (['own', 'foreign'] as const).entries()) {
          const req = await rule.make(which, role);
          const res = await host.inject({
            method,
            url: req.url,
            headers: host.headersFor(role, { userId: actors[role].id }),
            ...(req.payload !== undefined ? { payload: req.payload } : {}),
          });
          t.equal(res.statusCode, rule.expect[role][i], `${role} × ${which}: ${res.statusCode >= 500 ? res.body : ''}`);
        }
      }
    });
  }
}
