/**
 * Databases burst benchmark (issue 13): 500 `POST /v1/databases` from one customer, 10 at a
 * time, against the plugin's own managed MariaDB; each create is the real path (limit counted in
 * the create transaction, prefixed name, `CREATE DATABASE` on the server, the row stored). Then
 * a user with a generated password for each of the first 50 (the grant path).
 *
 * Baseline, same server, same run: the same number of `CREATE DATABASE` statements sent
 * directly by the bench as the server's admin, 10 connections at a time, which is the floor of
 * any implementation.
 *
 * Run (as root: mariadbd runs as mysql): node --conditions=@hostplane/source --import tsx bench/databases-burst.ts
 * Env: BENCH_DATABASES (default 500), BENCH_PARALLEL (default 10).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import mysql from 'mysql2/promise';
import { startTestHost } from '@hostplane/testing';
import { freePort } from '@hostplane/testing/free-port';
import accounts from '../plugins/accounts/src/index.js';
import databases from '../plugins/databases/src/index.js';
import mariadb, { layoutOf, ManagedServer } from '../plugins/databases-mariadb/src/index.js';

const COUNT = Number(process.env.BENCH_DATABASES ?? 500);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 10);

const root = await mkdtemp(join(tmpdir(), 'hp-bench-db-'));
await chmod(root, 0o711);
const port = await freePort();
const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, mariadb, databases],
  config: { 'databases-mariadb': { root, port, bufferPoolMb: 64 } },
});
const server = new ManagedServer({
  root,
  port,
  host: '127.0.0.1',
  mariadbd: '/usr/sbin/mariadbd',
  installDb: '/usr/bin/mariadb-install-db',
  bufferPoolMb: 64,
});
const sql = knexFactory({ client: 'pg', connection: host.databaseUrl, pool: { min: 0, max: 2 } });
try {
  const [admin] = (await sql('hostplane.users')
    .insert({ email: 'bench-admin@example.test', name: 'Admin', role: 'super_admin' })
    .returning('id')) as Array<{ id: string }>;
  const [customer] = (await sql('hostplane.users')
    .insert({ email: 'bench-customer@example.test', name: 'Customer', role: 'customer', parent_id: admin!.id })
    .returning('id')) as Array<{ id: string }>;
  const call = async (role: 'super_admin' | 'customer', method: string, url: string, payload?: unknown) => {
    const res = await host.inject({
      method,
      url,
      headers: host.headersFor(role, { userId: role === 'customer' ? customer!.id : admin!.id }),
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  const pkg = await call('super_admin', 'POST', '/v1/packages', {
    name: 'Bench',
    currency: 'EUR',
    prices: { monthly: 100 },
    limits: { websites: 1, domains: 1, databases: COUNT + 10 },
    features: { php_versions: ['8.2'] },
  });
  if (pkg.status !== 201) throw new Error(JSON.stringify(pkg.body));
  const sub = await call('super_admin', 'POST', '/v1/subscriptions', {
    customerId: customer!.id,
    packageId: pkg.body.id,
    billingCycle: 'monthly',
  });
  if (sub.status !== 201) throw new Error(JSON.stringify(sub.body));

  /** `count` jobs, `PARALLEL` at a time; returns the milliseconds it took. */
  const burst = async (count: number, job: (i: number) => Promise<void>): Promise<number> => {
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < count) await job(next++);
      }),
    );
    return performance.now() - start;
  };

  const ids: string[] = [];
  const apiMs = await burst(COUNT, async (i) => {
    const res = await call('customer', 'POST', '/v1/databases', { name: `db${i}` });
    if (res.status !== 201) throw new Error(`database ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(res.body.id as string);
  });
  const usersMs = await burst(Math.min(50, COUNT), async (i) => {
    const res = await call('customer', 'POST', `/v1/databases/${ids[i]}/users`, {});
    if (res.status !== 201) throw new Error(`user ${i}: ${res.status} ${JSON.stringify(res.body)}`);
  });

  const credentials = await server.readAdmin();
  // The admin account logs in over the server's socket only.
  const pool = mysql.createPool({
    socketPath: layoutOf(root).socket,
    user: credentials.user,
    password: credentials.password,
    connectionLimit: PARALLEL,
  });
  const directMs = await burst(COUNT, async (i) => {
    await pool.query(`CREATE DATABASE \`direct_${i}\``);
  });
  const [rows] = (await pool.query(
    `SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name NOT LIKE 'direct\\_%' AND schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys', 'test')`,
  )) as unknown as [Array<{ n: number }>];
  await pool.end();
  const onServer = Number(rows[0]?.n ?? 0);
  if (onServer !== COUNT) throw new Error(`${onServer} databases on the server, ${COUNT} expected`);

  const result = {
    bench: 'databases-burst',
    databases: COUNT,
    parallel: PARALLEL,
    apiSeconds: +(apiMs / 1000).toFixed(2),
    apiPerSecond: +((COUNT / apiMs) * 1000).toFixed(1),
    directSeconds: +(directMs / 1000).toFixed(2),
    ratioToDirect: +(apiMs / directMs).toFixed(2),
    usersPerSecond: +((Math.min(50, COUNT) / usersMs) * 1000).toFixed(1),
    allOnServer: onServer === COUNT,
  };
  console.log(
    `${COUNT} databases through the API, ${PARALLEL} at a time: all created in ${result.apiSeconds} s (${result.apiPerSecond}/s)`,
  );
  console.log(
    `the same CREATE DATABASE statements sent directly: ${result.directSeconds} s; the API takes ${result.ratioToDirect}× that`,
  );
  console.log(`users with a generated password: ${result.usersPerSecond}/s`);
  console.log(JSON.stringify(result));
} finally {
  await sql.destroy();
  await host.close();
  // A host shutdown leaves mariadbd serving (as in production); the bench ends it.
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
