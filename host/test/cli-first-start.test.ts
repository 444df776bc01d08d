/**
 * The first `hostplane start` a newcomer runs: a fresh embedded PostgreSQL, migrations, seeding.
 * It must print no ERROR from PostgreSQL (graphile-worker used to probe for its schema with a
 * query that fails on a fresh database, and the server logged `ERROR: relation
 * "graphile_worker.migrations" does not exist`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stopAtExitUnder, stopDaemonsUnder } from '../../plugins/webserver-nginx/test/daemons.js';
import { REPO } from './support/cli.js';

const entry = join(REPO, 'host/dist/cli/main.js');

t.test(
  'a first start on a fresh embedded data dir logs no PostgreSQL ERROR',
  { skip: existsSync(entry) ? false : 'host/dist is not built: run `npm run build` (npm test does)' },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-first-start-'));
    // The database drivers (enabled by the first start too) run their own MariaDB and
    // PostgreSQL under the data dir, outliving the host by design: the test ends them.
    stopAtExitUnder(dataDir);
    t.teardown(async () => {
      await stopDaemonsUnder(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOSTPLANE_DATA_DIR: dataDir,
      HOSTPLANE_PORT: '0',
      HOSTPLANE_LOG_LEVEL: 'debug',
    };
    delete env.DATABASE_URL;
    delete env.NODE_OPTIONS;
    delete env.HOSTPLANE_LOG_FORMAT;
    let output = '';
    // Point the web server plugin (enabled by the first start) at no binary, so this test starts
    // no NGINX of its own on the default port; it is the first CLI call on the data dir, so its
    // output counts as the first start's too.
    const configured = spawn(
      process.execPath,
      [entry, 'plugins', 'config', 'set', 'webserver-nginx', 'nginxBinary=/nonexistent/nginx'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    configured.stdout.on('data', (d: Buffer) => (output += d.toString()));
    configured.stderr.on('data', (d: Buffer) => (output += d.toString()));
    t.equal(await new Promise((resolve) => configured.on('exit', resolve)), 0, 'plugins config set');

    const child = spawn(process.execPath, [entry, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    const deadline = Date.now() + 90_000;
    while (!/running at http/.test(output) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.match(output, /running at http/, 'the host started');
    t.notMatch(output, /"msg":"nginx running"/, 'with no web server daemon of its own');
    // backups is found before websites, which it requires: the first start must still enable it.
    t.notMatch(output, /could not enable a first-party plugin/, 'every first-party plugin is enabled');
    child.kill('SIGTERM');
    t.equal(await exited, 0, 'stopped cleanly');

    const postgresLines = output
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { msg?: string; postgres?: string }];
        } catch {
          return []; // the command's own output
        }
      })
      .filter((entry) => entry.msg === 'embedded PostgreSQL')
      .map((entry) => entry.postgres ?? '');
    t.ok(postgresLines.length > 0, 'the server log is read (debug level)');
    t.same(
      postgresLines.filter((line) => /\b(ERROR|FATAL|PANIC)\b/.test(line)),
      [],
      'no ERROR in the server log',
    );
  },
);
