/**
 * The hostile-plugin suite, part 1 (issue 11): drop-in plugins that go after data and the host's
 * machine — core tables, another plugin's schema, stored configs, role tricks, the host's
 * environment, /etc/shadow, the key and password files, a child process, the kernel's own
 * package — plus a first-party id, a borrowed permission and routes without `http:routes`.
 * Each is refused or contained while /health and another plugin's route answer throughout.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { until } from './support/cli.js';
import { HOST_ENTRY, probePlugin, startHostileHost, type HostilePlugin } from './support/hostile.js';

const probes = (dataDir: string): Array<{ plugin: HostilePlugin; what: string }> => [
  {
    what: 'reads password hashes from hostplane.users',
    plugin: probePlugin(
      'hostile-core-users',
      `return (await ctx.deps.db.knex.raw('select email, password_hash from hostplane.users')).rows;`,
      { db: true },
    ),
  },
  {
    what: "reads another plugin's schema (auth's sessions)",
    plugin: probePlugin('hostile-sessions', `return (await ctx.deps.db.knex.raw('select * from plugin_auth.sessions')).rows;`, {
      db: true,
    }),
  },
  {
    what: "writes into another plugin's schema (websites)",
    plugin: probePlugin(
      'hostile-write-other',
      `return (await ctx.deps.db.knex.raw("update plugin_websites.websites set domain = 'pwned.example' returning id")).rows;`,
      { db: true },
    ),
  },
  {
    what: "reads every plugin's stored configuration",
    plugin: probePlugin(
      'hostile-configs',
      `return (await ctx.deps.db.knex.raw('select id, config from hostplane.plugins')).rows;`,
      { db: true },
    ),
  },
  {
    what: 'lifts its database role with SET ROLE / RESET ROLE / SET SESSION AUTHORIZATION',
    plugin: probePlugin(
      'hostile-set-role',
      `const tries = ['reset role', 'set role postgres', 'set role pg_read_all_data', 'set session authorization postgres'];
      return ctx.deps.db.knex.transaction(async (trx) => {
        for (const sql of tries) {
          await trx.raw('savepoint try_it');
          try { await trx.raw(sql); await trx.raw('release savepoint try_it'); } catch { await trx.raw('rollback to savepoint try_it'); }
        }
        return (await trx.raw('select password_hash from hostplane.users')).rows;
      });`,
      { db: true },
    ),
  },
  {
    what: "reads the host's secrets from process.env",
    plugin: probePlugin(
      'hostile-env',
      `const found = ['DATABASE_URL', 'HOSTPLANE_SECRET_KEY', 'HOSTPLANE_CANARY', 'PGPASSWORD'].filter((k) => process.env[k]);
      if (found.length === 0) throw new Error('no secret in this environment');
      return found.map((k) => k + '=' + process.env[k]);`,
    ),
  },
  {
    what: 'reads /etc/shadow',
    plugin: probePlugin(
      'hostile-shadow',
      `const { readFileSync } = await import('node:fs'); return readFileSync('/etc/shadow', 'utf8');`,
    ),
  },
  {
    what: "reads the platform's secret key file and the database password file",
    plugin: probePlugin(
      'hostile-key-file',
      `const { readFileSync } = await import('node:fs');
      const got = [];
      for (const f of [${JSON.stringify(join(dataDir, 'secret.key'))}, ${JSON.stringify(join(dataDir, 'postgres.password'))}]) {
        try { got.push(readFileSync(f, 'utf8')); } catch (err) { if (err.code !== 'ENOENT') throw err; }
      }
      if (got.length === 0) throw new Error('neither file exists');
      return got;`,
    ),
  },
  {
    what: 'spawns a process (id)',
    plugin: probePlugin(
      'hostile-spawn',
      `const { execFileSync } = await import('node:child_process'); return execFileSync('id').toString();`,
    ),
  },
  {
    what: 'imports @hostplane/core to reach the kernel',
    plugin: probePlugin(
      'hostile-import-core',
      `const core = await import('@hostplane/core'); return Object.keys(core).slice(0, 5);`,
    ),
  },
];

const rogues: HostilePlugin[] = [
  {
    id: 'hostile-foreign-permission',
    permissions: ['http:routes'],
    definition: `setup(ctx) { ctx.routes((app) => { app.get('/', { config: { permission: 'accounts.user.write' } }, async () => ({ owned: true })); }); }`,
  },
  {
    id: 'hostile-undeclared-routes',
    permissions: [],
    definition: `setup(ctx) { ctx.routes((app) => { app.get('/', { config: { public: true } }, async () => ({ open: true })); }); }`,
  },
  { id: 'hostile-first-party', manifestId: 'databases-hostile', permissions: ['http:routes'], definition: `setup() {}` },
];

t.test(
  'plugins after data and the machine are refused while the host keeps serving',
  { skip: existsSync(HOST_ENTRY) ? false : 'host/dist is not built: run `npm run build` (npm test does)' },
  async (t) => {
    let attacks: ReturnType<typeof probes> = [];
    const host = await startHostileHost(t, (dataDir) => [...(attacks = probes(dataDir)).map((a) => a.plugin), ...rogues], {
      // What an attacker would love to read: set, so the env probe has something to find.
      HOSTPLANE_CANARY: 'hostile-suite-must-never-see-this',
    });
    t.equal((await host.call('GET', '/v1/bystander')).status, 200, 'the bystander answers before the attacks');

    const { failures, polls } = await host.watch(async () => {
      for (const { plugin, what } of attacks) {
        t.equal((await host.enable(plugin.id)).status, 200, `${plugin.id} enables (its attack runs on request)`);
        const probe = await host.call('GET', `/v1/${plugin.id}/probe`);
        t.equal(probe.status, 200, `${plugin.id}: the probe ran`);
        t.equal(probe.body.outcome, 'refused', `${what}: refused (${String(probe.body.error ?? probe.body.got)})`);
      }

      await host.enable('hostile-foreign-permission');
      await until('the borrowed permission to fail its plugin', async () =>
        (await host.stateOf('hostile-foreign-permission'))?.state === 'failed' ? true : undefined,
      );
      t.equal(
        (await host.call('GET', '/v1/hostile-foreign-permission')).status,
        404,
        'a route guarded by a borrowed permission is never served',
      );
      await host.enable('hostile-undeclared-routes');
      t.match(await host.stateOf('hostile-undeclared-routes'), { state: 'failed' }, 'routes without http:routes fail the plugin');
      t.equal((await host.call('GET', '/v1/hostile-undeclared-routes')).status, 404);

      const claimed = await host.enable('databases-hostile');
      t.equal(claimed.status, 403, 'a first-party id needs the first-party signature, whatever the admin allowed');
      t.match(claimed.body, { error: { code: 'KERNEL_ERR_PLUGIN_FIRST_PARTY_ID' } });
    });
    t.ok(polls > 20, `the host was watched throughout (${polls} requests)`);
    t.same(failures, [], '/health and the bystander answered every request during the attacks');
    const { code, stderr } = await host.stop();
    t.equal(code, 0, `graceful exit (stderr: ${stderr.slice(0, 500)})`);
  },
);
