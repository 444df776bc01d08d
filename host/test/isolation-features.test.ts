/**
 * What an isolated plugin registers besides routes works as in-process: its CLI command runs in
 * its process with output streamed back, its panel page reaches the panel as data (its TypeBox
 * form schema intact), its event handler hears platform events, declared services answer, and
 * jobs it enqueues in batches run once.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { startTestHost } from '@hostplane/testing';

const dir = fileURLToPath(new URL('./fixtures/isolated-features/features/', import.meta.url)).replace(/\/$/, '');
if (process.getuid?.() !== 0 && process.env.HOSTPLANE_REQUIRE_SYSTEM !== '1') {
  t.skip('isolation runs each plugin as its own system user: needs root');
  process.exit(0);
}

t.test('an isolated plugin’s command, page, event handler and settings work unchanged', async (t) => {
  const host = await startTestHost({ plugins: [{ dir }], enable: ['features'], config: { features: { salute: 'Ahoy' } } });
  t.teardown(() => host.close());
  t.equal(host.kernel.plugin('features')?.state, 'started', JSON.stringify(host.kernel.plugin('features')?.error));

  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  t.equal(await host.kernel.runCommand('features', 'greet', ['Ada'], io), 0);
  t.same(out, ['Ahoy, Ada!'], 'output streamed back from the plugin process, with its config');
  t.equal(await host.kernel.runCommand('features', 'greet', [], io), 2, 'its exit code');

  const page = host.kernel.panelPages().find((p) => p.pluginId === 'features');
  t.equal(page?.title, 'Notes');
  const form = page?.sections[0] as { schema: TSchema } | undefined;
  t.ok(form && Value.Check(form.schema, { text: 'x' }), 'the form schema is a working TypeBox schema');
  t.notOk(form && Value.Check(form.schema, { text: 1 }));

  const note = await host.inject({ method: 'PUT', url: '/v1/features/note', payload: { text: 'remember' } });
  t.equal(note.statusCode, 200);
  t.same(note.json(), { note: 'remember' }, 'settings, a declared service, answer through the kernel');

  const user = await host.kernel.users.create({ email: 'iso@example.com', name: 'Iso', role: 'super_admin' } as never);
  let users: string[] = [];
  for (let i = 0; i < 50 && !users.includes(user.id); i++) {
    users = (await host.inject({ method: 'GET', url: '/v1/features/seen' })).json<{ users: string[] }>().users;
    if (!users.includes(user.id)) await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(users.includes(user.id), 'its event handler heard user.created');

  const tally = await host.inject({ method: 'POST', url: '/v1/features/tally' });
  t.same(
    tally.json(),
    { inTrx: 2, rolledBack: 'undone', direct: 2, foreign: 'JOBS_ERR_NOT_OWN_JOB' },
    'batches: in its transaction (a key once), rolled back with it, through the kernel; never another plugin’s',
  );
  await host.drainJobs({ timeoutMs: 60_000 });
  t.same(
    (await host.inject({ method: 'GET', url: '/v1/features/tallied' })).json(),
    { tallied: [1, 3, 4, 5] },
    'each batched job ran once in the plugin’s process',
  );

  const ready = host.logs().find((l) => l.msg === 'isolated plugin ready' && l.plugin === 'features');
  const pid = Number(ready?.pid);
  t.doesNotThrow(() => process.kill(pid, 0), 'its process runs');
  await host.close();
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the host stopped: no process left behind');
});
