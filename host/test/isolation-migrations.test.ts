/**
 * An isolated plugin's migrations are its code too: they run in its own process, as its own
 * user under the permission model, never in the host's. A migration that tries to leave the
 * process fails the plugin's enable and touches nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startTestHost } from '@hostplane/testing';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/isolated-migrations/${name}/`, import.meta.url)).replace(/\/$/, '');
if (process.getuid?.() !== 0 && process.env.HOSTPLANE_REQUIRE_SYSTEM !== '1') {
  t.skip('isolation runs each plugin as its own system user: needs root');
  process.exit(0);
}

t.test('an isolated plugin’s migration runs in its process, not the host’s', async (t) => {
  const markerDir = await mkdtemp(join(tmpdir(), 'hp-escape-'));
  const marker = join(markerDir, 'escaped');
  process.env.HOSTPLANE_ESCAPE_MARKER = marker;
  t.teardown(async () => {
    delete process.env.HOSTPLANE_ESCAPE_MARKER;
    await rm(markerDir, { recursive: true, force: true });
  });
  const host = await startTestHost({
    plugins: [{ dir: fixture('migrator') }, { dir: fixture('escaper') }],
    enable: ['migrator', 'escaper'],
  });
  t.teardown(() => host.close());

  t.equal(host.kernel.plugin('migrator')?.state, 'started', JSON.stringify(host.kernel.plugin('migrator')?.error));
  const rows = (await host.kernel.knex.raw('select pid, uid, may_read_shadow from plugin_migrator.where_ran')) as {
    rows: Array<{ pid: number; uid: number; may_read_shadow: boolean }>;
  };
  t.equal(rows.rows.length, 1, 'the migration ran once');
  const ran = rows.rows[0]!;
  t.not(ran.pid, process.pid, 'not in the host process');
  t.ok(ran.uid >= 620_000 && ran.uid < 630_000, `as the plugin's own user (uid ${ran.uid})`);
  t.equal(ran.may_read_shadow, false, 'under the permission model');

  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  t.equal(await host.kernel.runCommand('migrator', 'ping', [], io), 0, 'a command (which migrates first) runs');
  t.match(out, [/^pong from \d+$/]);
  t.not(out[0], `pong from ${process.pid}`, 'in a process of its own');

  const escaper = host.kernel.plugin('escaper');
  t.equal(escaper?.state, 'failed', 'a migration that tries to leave its process fails the enable');
  t.match(
    escaper?.error,
    { phase: 'migrate', message: /cannot load migration 0001_escape\.js[\s\S]*restricted/ },
    'refused by the permission model while loading',
  );
  t.notOk(existsSync(marker), 'the migration did not run with the host’s rights');
});
