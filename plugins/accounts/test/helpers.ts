/** Test helpers: users made in SQL, a caller per user, JSON requests. */
import knexFactory, { type Knex } from 'knex';
import type { Role } from '@hostplane/sdk';
import type { TestHost } from '@hostplane/sdk/testing';

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
