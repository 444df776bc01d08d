// A host killed (SIGKILL) in the middle of provisioning: after a restart every site converges,
// once, and `hostplane websites reconcile` repairs a config file deleted behind its back. Runs
// the compiled host as `npm start` does, in child processes, on a fresh database.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { createTestDatabase } from '@hostplane/core';
import { REPO, cli } from '../../../host/test/support/cli.js';
import { stopAtExitUnder, stopDaemonsUnder } from '../../webserver-nginx/test/daemons.js';
import { freePort, get, removeUsers, systemMissing } from '../../webserver-nginx/test/helpers.js';
import { eventually } from './helpers.js';

const entry = join(REPO, 'host/dist/cli/main.js');
const SITES = 24;

const missing = systemMissing();
const skip = missing
  ? `real nginx + php-fpm: ${missing}`
  : existsSync(entry)
    ? false
    : 'host/dist is not built (npm test builds it)';

t.test('provisioning survives a killed host', { skip }, async (t) => {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'hp-crash-'));
  // NGINX workers (www-data when root) pass through it to the site trees, as through ./.hostplane.
  await chmod(dataDir, 0o711);
  stopAtExitUnder(dataDir);
  const port = await freePort();
  const sql = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 2 } });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PORT: '0',
    HOSTPLANE_LOG_LEVEL: 'warn',
    HOSTPLANE_SEED_DEMO: '1',
  };
  delete env.NODE_OPTIONS;
  const children: ChildProcess[] = [];
  let names: string[] = [];
  t.teardown(async () => {
    for (const c of children) c.kill('SIGKILL');
    // The managed nginx, php-fpm and database servers outlive a killed host by design; stop them.
    await stopDaemonsUnder(dataDir);
    await removeUsers(names);
    await sql.destroy();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  function start(): Promise<{ base: string; child: ChildProcess; exited: Promise<number | null> }> {
    const child = spawn(process.execPath, [entry, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    return eventually(async () => {
      if (code !== undefined) throw new Error(`the host exited with ${code}`);
      const base = out.match(/running at (http:\/\/\S+)/)?.[1];
      return base ? { base, child, exited } : undefined;
    }, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- host output ---\n${out.slice(-3000)}`);
    });
  }

  t.equal((await cli(['migrate', 'up'], env)).code, 0);
  const configured = await cli(['plugins', 'config', 'set', 'webserver-nginx', `httpPort=${port}`, 'workerProcesses=1'], env);
  t.equal(configured.code, 0, configured.err);

  let host = await start();
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${host.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const login = await api('POST', '/v1/auth/login', { email: 'admin@hostplane.test', password: 'demo-admin-password' });
  t.equal(login.status, 200, JSON.stringify(login.body));
  const token = login.body.accessToken as string;
  const bob = (await sql('hostplane.users').where({ email: 'bob@hostplane.test' }).first('id')) as { id: string };
  const pkg = await api(
    'POST',
    '/v1/packages',
    {
      name: 'Crash',
      currency: 'EUR',
      prices: { monthly: 100 },
      // Disk too: with metering enabled (the first start enables it) a package without disk refuses sites.
      limits: { websites: 100, domains: 100, disk_mb: 10_000, bandwidth_gb: 100 },
      features: { php_versions: ['8.2'] },
    },
    token,
  );
  t.equal(pkg.status, 201, JSON.stringify(pkg.body));
  const sub = await api(
    'POST',
    '/v1/subscriptions',
    { customerId: bob.id, packageId: pkg.body.id, billingCycle: 'monthly' },
    token,
  );
  t.equal(sub.status, 201, JSON.stringify(sub.body));

  // A burst of creates; the moment the driver starts writing site trees, the host dies.
  const sitesDir = join(dataDir, 'webserver', 'sites');
  const created = await Promise.all(
    Array.from({ length: SITES }, (_, i) =>
      api(
        'POST',
        '/v1/websites',
        { domain: `crash-${i}.example.test`, kind: i % 2 ? 'php' : 'static', subscriptionId: sub.body.id },
        token,
      ),
    ),
  );
  t.ok(
    created.every((c) => c.status === 201),
    'every create was accepted',
    {
      statuses: created
        .filter((c) => c.status !== 201)
        .map((c) => JSON.stringify(c.body))
        .slice(0, 3),
    },
  );
  names = created.map((c) => c.body.name as string);
  await eventually(async () => ((await readdir(sitesDir).catch(() => [])).length > 0 ? true : undefined), 30_000, 2);
  host.child.kill('SIGKILL');
  await host.exited;
  const [{ behind }] = (await sql('plugin_websites.websites')
    .count({ behind: '*' })
    .whereRaw('applied_generation < generation')) as Array<{
    behind: string;
  }>;
  t.ok(Number(behind) > 0, `killed mid-provisioning (${behind} of ${SITES} sites not applied yet)`);

  host = await start();
  await eventually(
    async () => {
      const rows = await sql('plugin_websites.websites').select('status', 'applied_generation', 'generation');
      return rows.every((r) => r.status === 'active' && r.applied_generation >= r.generation) ? rows : undefined;
    },
    60_000,
    100,
  );
  const [{ count }] = (await sql('plugin_websites.websites').count({ count: '*' })) as Array<{ count: string }>;
  t.equal(Number(count), SITES, 'no duplicates, none lost');
  const confs = (await readdir(join(dataDir, 'webserver', 'nginx', 'sites'))).filter((f) => f.endsWith('.conf'));
  t.equal(confs.length, SITES, 'one NGINX config per site');
  for (let i = 0; i < SITES; i += 1) {
    const res = await get(port, `crash-${i}.example.test`);
    t.equal(res.status, 200, `crash-${i} is served`);
  }

  // Drift: a config deleted by hand is written again by `hostplane websites reconcile`.
  const victim = created[3]?.body as { name: string };
  const victimConf = confs.find((f) => f.startsWith(victim.name));
  t.ok(victimConf, 'the config file is named after the site');
  await unlink(join(dataDir, 'webserver', 'nginx', 'sites', victimConf as string));
  const repaired = await cli(['websites', 'reconcile', 'crash-3.example.test', '--wait'], env);
  t.equal(repaired.code, 0, repaired.out + repaired.err);
  t.match(repaired.out, /crash-3\.example\.test\tactive/);
  t.ok(existsSync(join(dataDir, 'webserver', 'nginx', 'sites', victimConf as string)), 'the config is back');
  t.equal((await get(port, 'crash-3.example.test')).status, 200);

  host.child.kill('SIGTERM');
  t.equal(await host.exited, 0, 'graceful exit');
});
