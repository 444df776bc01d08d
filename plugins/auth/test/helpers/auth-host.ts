/**
 * A real kernel + host with the auth plugin on a throwaway database, plus the few things the
 * flows need: reading mails from the outbox, making verified accounts, signing in.
 */
import { startTestHost, type TestHost, type TestHostOptions, type TestResponse } from '@hostplane/sdk/testing';
import pg from 'pg';
import type { Test } from 'tap';
import auth from '../../src/index.js';

export const PASSWORD = 'correct horse battery staple';

/** Known to tests that forge tokens. */
export const TEST_SECRET = 'test-secret-0123456789abcdef-0123456789abcdef';

export interface Mail {
  subject: string;
  text: string;
  tag: string | null;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  csrfToken: string;
  sessionId: string;
  expiresIn: number;
  user: { id: string; email: string; role: string };
}

/** A response as the recorder keeps it. */
export interface Recorded {
  method: string;
  url: string;
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

export interface AuthHost extends TestHost {
  /** Every response to a request sent through this object, in order. */
  responses: Recorded[];
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Mails to `to`, newest first. */
  mails(to: string): Promise<Mail[]>;
  /** The token in the newest mail to `to` with this tag. */
  mailToken(to: string, tag: string): Promise<string>;
  post(url: string, payload: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<TestResponse>;
  /** Register and verify an account; returns its id. */
  account(email: string, password?: string): Promise<string>;
  login(email: string, password?: string): Promise<SignedIn>;
}

let counter = 0;
/** A unique address per call. */
export function email(name = 'user'): string {
  counter += 1;
  return `${name}-${counter}-${process.pid}@example.test`;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export async function startAuthHost(
  t: Test,
  config: Record<string, unknown> = {},
  others: NonNullable<TestHostOptions['plugins']> = [],
): Promise<AuthHost> {
  const host = await startTestHost({
    plugins: [auth, ...others],
    runWorkers: false,
    config: { auth: { cookieSecure: 'never', routeRateLimitPerMinute: 100_000, jwtSecret: TEST_SECRET, ...config } },
  });
  const client = new pg.Client({ connectionString: host.databaseUrl });
  await client.connect();
  t.teardown(async () => {
    await client.end();
    await host.close();
  });
  if (host.kernel.plugin('auth')?.state !== 'started') {
    throw new Error(`auth did not start: ${JSON.stringify(host.kernel.plugin('auth'))}`);
  }
  // Self-registered customers hang under the oldest super admin.
  await client.query(`insert into hostplane.users (email, name, role) values ('root@example.test', 'Root', 'super_admin')`);

  const responses: Recorded[] = [];
  const inject: TestHost['inject'] = async (request) => {
    const res = await host.inject(request);
    responses.push({
      method: request.method,
      url: request.url,
      statusCode: res.statusCode,
      headers: res.headers,
      body: res.body,
    });
    return res;
  };
  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await client.query(text, params)).rows as T[];
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    inject({ method: 'POST', url, payload: payload as object, headers });
  const get = (url: string, headers: Record<string, string> = {}) => inject({ method: 'GET', url, headers });
  const mails = async (to: string) =>
    sql<Mail>(
      `select subject, text_body as text, tag from hostplane.outbox where to_address = $1 order by created_at desc, id desc`,
      [to.toLowerCase()],
    );
  const mailToken = async (to: string, tag: string) => {
    const mail = (await mails(to)).find((m) => m.tag === tag);
    const token = mail ? /token=([a-z0-9]+)/.exec(mail.text)?.[1] : undefined;
    if (!token) throw new Error(`no ${tag} mail with a token to ${to}`);
    return token;
  };
  const account = async (address: string, password = PASSWORD) => {
    const res = await post('/v1/auth/register', { email: address, password });
    if (res.statusCode !== 202) throw new Error(`register ${address}: ${res.statusCode} ${res.body}`);
    const verified = await post('/v1/auth/verify-email', { token: await mailToken(address, 'auth.verify-email') });
    if (verified.statusCode !== 200) throw new Error(`verify ${address}: ${verified.statusCode} ${verified.body}`);
    const [row] = await sql<{ id: string }>(`select id from hostplane.users where email = $1`, [address.toLowerCase()]);
    return row!.id;
  };
  const login = async (address: string, password = PASSWORD) => {
    const res = await post('/v1/auth/login', { email: address, password });
    if (res.statusCode !== 200) throw new Error(`login ${address}: ${res.statusCode} ${res.body}`);
    return res.json<SignedIn>();
  };
  return Object.assign(Object.create(host) as TestHost, host, {
    inject,
    responses,
    sql,
    mails,
    mailToken,
    post,
    get,
    account,
    login,
  }) as AuthHost;
}
