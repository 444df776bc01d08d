/**
 * The hostile-plugin suite's harness: drop-in plugins written as a reseller with bad intent would,
 * and the compiled host running them in its own process, watched from outside so that any
 * failed /health or bystander request while the attacks run is seen.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@hostplane/core';
import { stopAtExitUnder, stopDaemonsUnder } from '../../../plugins/webserver-nginx/test/daemons.js';
import { cli, REPO, until } from './cli.js';

/** The compiled CLI the suite runs, as `npm start` does. */
export const HOST_ENTRY = join(REPO, 'host/dist/cli/main.js');

interface TestLike {
  teardown(fn: () => unknown): void;
}

/** A drop-in plugin: its manifest's id and capabilities, and the source of its definition's body. */
export interface HostilePlugin {
  /** Folder name; also the id unless `manifestId` says otherwise. */
  id: string;
  permissions: string[];
  /** Source of the definition's fields after id, sdk and permissions (`setup(ctx) { … }` …). */
  definition: string;
  manifestId?: string;
}

/**
 * A plugin whose `GET /v1/<id>/probe` runs `body` (an async function body with `ctx` in scope)
 * and answers `{ outcome: 'leaked', got }` or `{ outcome: 'refused', error }`.
 */
export function probePlugin(id: string, body: string, options: { db?: boolean } = {}): HostilePlugin {
  const permission = `${id}.probe.run`;
  return {
    id,
    permissions: ['http:routes', ...(options.db ? ['db'] : [])],
    definition: `
  rbac: { ${JSON.stringify(permission)}: { description: 'Run the probe', roles: [] } },
  ${options.db ? 'deps: { db: coreServices.database },' : ''}
  setup(ctx) {
    ctx.routes((app) => {
      app.get('/probe', { config: { permission: ${JSON.stringify(permission)} } }, async () => {
        try {
          const got = await (async () => { ${body} })();
          return { outcome: 'leaked', got: JSON.stringify(got ?? null).slice(0, 400) };
        } catch (err) {
          return { outcome: 'refused', error: String((err && (err.code || '')) + ' ' + (err && err.message || err)).slice(0, 400) };
        }
      });
    });
  }`,
  };
}

/** An honest third-party plugin whose `GET /v1/bystander` must keep answering 200. */
export const BYSTANDER: HostilePlugin = {
  id: 'bystander',
  permissions: ['http:routes'],
  definition: `rbac: { 'bystander.item.read': { description: 'Read', roles: [] } },
  setup(ctx) { ctx.routes((app) => { app.get('/', { config: { permission: 'bystander.item.read' } }, async () => ({ ok: true })); }); }`,
};

async function writePlugin(dir: string, plugin: HostilePlugin): Promise<void> {
  const id = plugin.manifestId ?? plugin.id;
  await mkdir(join(dir, plugin.id), { recursive: true });
  await writeFile(
    join(dir, plugin.id, 'package.json'),
    JSON.stringify({
      name: `hostplane-plugin-${plugin.id}`,
      version: '1.0.0',
      type: 'module',
      main: 'index.js',
      hostplane: { id, sdk: '^0.1.0', permissions: plugin.permissions },
    }),
  );
  await writeFile(
    join(dir, plugin.id, 'index.js'),
    `import { coreServices, definePlugin } from '@hostplane/sdk';
export default definePlugin({ id: ${JSON.stringify(id)}, sdk: '^0.1.0', permissions: ${JSON.stringify(plugin.permissions)},
${plugin.definition}
});
`,
  );
}

/** A JSON answer (or `{ text }` when it is not JSON). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A running host with the hostile plugins dropped in (allowed unsigned by the admin, not enabled). */
export interface HostileHost {
  dataDir: string;
  /** Call the API as the demo admin. */
  call(method: string, path: string): Promise<Answer>;
  /** `POST /v1/plugins/<id>/enable` as the admin. */
  enable(id: string): Promise<Answer>;
  /** The plugin as `GET /v1/plugins` lists it. */
  stateOf(id: string): Promise<{ id: string; state: string; error?: { phase?: string; message?: string } } | undefined>;
  /**
   * Run `attacks` while /health and the bystander are requested every 50 ms; resolves with every
   * failed answer (none expected) and how many requests were made.
   */
  watch(attacks: () => Promise<void>): Promise<{ failures: string[]; polls: number }>;
  /** SIGTERM, resolving with the exit code and what the host wrote to stderr. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

/**
 * Start the compiled host on a fresh database and data folder with the plugins `pluginsOf` makes
 * (given that folder, which some attacks aim at) and the bystander dropped in, the demo users seeded, the bystander enabled. `env` adds to the host's environment.
 */
export async function startHostileHost(
  t: TestLike,
  pluginsOf: (dataDir: string) => HostilePlugin[],
  env: NodeJS.ProcessEnv = {},
): Promise<HostileHost> {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-hostile-data-'));
  stopAtExitUnder(dataDir);
  t.teardown(async () => {
    await stopDaemonsUnder(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });
  const pluginsDir = await mkdtemp(join(tmpdir(), 'hostplane-hostile-'));
  t.teardown(() => rm(pluginsDir, { recursive: true, force: true }));
  // Each isolated plugin runs as its own system user, which must be able to read its package.
  await chmod(pluginsDir, 0o755);
  const plugins = pluginsOf(dataDir);
  for (const plugin of [BYSTANDER, ...plugins]) await writePlugin(pluginsDir, plugin);

  const hostEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PLUGINS_DIR: pluginsDir,
    HOSTPLANE_PORT: '0',
    HOSTPLANE_LOG_LEVEL: 'warn',
    HOSTPLANE_SEED_DEMO: '1',
    ...env,
  };
  delete hostEnv.NODE_OPTIONS;
  for (const plugin of [BYSTANDER, ...plugins]) await cli(['plugins', 'allow-unsigned', plugin.manifestId ?? plugin.id], hostEnv);

  const child = spawn(process.execPath, [HOST_ENTRY, 'start'], { env: hostEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => child.kill('SIGKILL'));
  const base = await until('the host to listen', async () => stdout.match(/running at (http:\/\/\S+)/)?.[1]);

  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@hostplane.test', password: 'demo-admin-password' }),
  });
  if (login.status !== 200) throw new Error(`the demo admin could not sign in: ${login.status} ${await login.text()}`);
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  const call = async (method: string, path: string): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      return { status: res.status, body: { text } };
    }
  };
  const host: HostileHost = {
    dataDir,
    call,
    enable: (id) => call('POST', `/v1/plugins/${id}/enable`),
    stateOf: async (id) =>
      ((await call('GET', '/v1/plugins')).body.items as Array<{ id: string; state: string }>).find((p) => p.id === id),
    async watch(attacks) {
      const failures: string[] = [];
      let polls = 0;
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          for (const path of ['/health', '/v1/bystander']) {
            const started = Date.now();
            try {
              const res = await fetch(`${base}${path}`, {
                headers: { authorization: `Bearer ${token}` },
                signal: AbortSignal.timeout(2000),
              });
              if (path === '/v1/bystander' ? res.status !== 200 : res.status >= 500)
                failures.push(`${path} answered ${res.status}`);
              await res.arrayBuffer();
            } catch (err) {
              failures.push(`${path} failed after ${Date.now() - started} ms: ${(err as Error).message}`);
            }
            polls += 1;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      try {
        await attacks();
      } finally {
        watching = false;
        await watcher;
      }
      return { failures, polls };
    },
    async stop() {
      child.kill('SIGTERM');
      return { code: await exited, stderr };
    },
  };
  const bystander = await host.enable('bystander');
  if (bystander.status !== 200) throw new Error(`the bystander did not enable: ${JSON.stringify(bystander.body)}`);
  return host;
}
