import t from 'tap';
import { definePlugin } from '@hostplane/sdk';
import { startTestHost } from '../src/index.js';
import kit from './fixtures/kit-plugin.js';

const host = await startTestHost({ plugins: [kit], clock: '2026-03-01T09:30:00.000Z' });
t.teardown(() => host.close());

t.test('users: a real tree, each calling the API as itself', async (t) => {
  const tree = await host.users.tree();
  t.equal(tree.admin.role, 'super_admin');
  t.equal(tree.admin.parentId, null);
  t.equal(tree.reseller.parentId, tree.admin.id);
  t.equal(tree.customer.parentId, tree.reseller.id);
  t.equal(tree.technicalUser.parentId, tree.customer.id);
  t.ok(await host.kernel.users.get(tree.customer.id), 'rows in the platform users table');

  const asCustomer = await host.inject({
    method: 'POST',
    url: '/v1/kit/notes',
    payload: { text: 'hi', links: 0 },
    headers: await host.users.headers(tree.customer),
  });
  t.equal(asCustomer.statusCode, 201);
  t.same(asCustomer.json(), { actorId: tree.customer.id }, 'the route sees the real user id');

  const asTech = await host.inject({
    method: 'POST',
    url: '/v1/kit/notes',
    payload: { text: 'hi', links: 0 },
    headers: await host.users.headers(tree.technicalUser),
  });
  t.equal(asTech.statusCode, 403, 'a technical user holds only what its customer granted (nothing yet)');

  await t.rejects(host.users.create('technical_user', { parent: tree.reseller }), 'the parent-role rule is the platform’s');
  const second = await host.users.tree();
  t.not(second.customer.id, tree.customer.id, 'each tree is new');
  await host.drainJobs();
});

t.test('audit: entries written by the plugin, filtered and newest first', async (t) => {
  const customer = await host.users.create('customer', { parent: (await host.users.tree()).reseller });
  for (const text of ['one', 'two']) {
    const res = await host.inject({
      method: 'POST',
      url: '/v1/kit/notes',
      payload: { text, links: 0 },
      headers: await host.users.headers(customer),
    });
    t.equal(res.statusCode, 201);
  }
  const entries = await host.audit({ actorId: customer.id, action: 'kit.note.created' });
  t.equal(entries.length, 2);
  t.same(
    entries.map((e) => [e.source, e.details.text]),
    [
      ['kit', 'two'],
      ['kit', 'one'],
    ],
  );
  await t.rejects(host.audit({ actorId: 'not-a-uuid' }), { code: 'AUDIT_ERR_FILTER_INVALID' });
  await host.drainJobs();
});

t.test('events and jobs: draining runs a chain to its end and the recorder sees each link', async (t) => {
  const recorder = host.recordEvents('kit.linked');
  t.teardown(() => recorder.stop());
  const { customer } = await host.users.tree();
  const res = await host.inject({
    method: 'POST',
    url: '/v1/kit/notes',
    payload: { text: 'chain', links: 3 },
    headers: await host.users.headers(customer),
  });
  t.equal(res.statusCode, 201);
  const drained = await host.drainJobs();
  t.same(
    drained.ran.map((j) => [j.name, j.outcome]),
    [
      ['kit:chain', 'succeeded'],
      ['kit:chain', 'succeeded'],
      ['kit:chain', 'succeeded'],
      ['kit:chain', 'succeeded'],
    ],
  );
  t.same(
    recorder.of('kit.linked').map((e) => e.payload.left),
    [3, 2, 1, 0],
  );
  t.equal(recorder.events[0]?.source, 'kit');
  t.equal((await host.drainJobs()).ran.length, 0, 'nothing left to run');
  await t.rejects(
    recorder.waitFor('kit.linked', (p) => p.left === 99, 50),
    /no matching "kit.linked" within 50 ms/,
  );
});

t.test('draining stops at a failed job waiting for its retry, and names it', async (t) => {
  const { id } = await host.kernel.jobs.enqueue('kit:flaky', {});
  const drained = await host.drainJobs();
  t.match(drained.ran, [{ id, name: 'kit:flaky', outcome: 'failed', error: 'the remote end is down', dead: false }]);
  t.match(drained.left, [{ id, state: 'retrying', attempts: 1 }], 'not ready until its backoff ends');
  await host.kernel.jobs.enqueue('kit:not-defined-anywhere', {});
  t.ok(
    (await host.drainJobs()).left.some((j) => j.name === 'kit:not-defined-anywhere'),
    'a job nobody defines is left, not waited for',
  );
});

t.test('clock: frozen, and moving it fires each cron tick it passes exactly once', async (t) => {
  const recorder = host.recordEvents('kit.linked');
  t.teardown(() => recorder.stop());
  const before = host.clock.now().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(host.clock.now().toISOString(), before, 'time stands still');

  t.same(await host.clock.advance(29 * 60 * 1000), [], 'no hour boundary before 09:59');
  const fired = await host.clock.set('2026-03-01T12:00:00.000Z');
  t.same(
    fired.map((f) => [f.schedule, f.tick.toISOString(), f.enqueued]),
    [
      ['kit:hourly', '2026-03-01T10:00:00.000Z', true],
      ['kit:hourly', '2026-03-01T11:00:00.000Z', true],
      ['kit:hourly', '2026-03-01T12:00:00.000Z', true],
    ],
  );
  t.equal(host.clock.now().toISOString(), '2026-03-01T12:00:00.000Z');
  await host.drainJobs();
  t.equal(recorder.of('kit.linked').length, 3, 'one job per tick');
  // A job starts as soon as its tick enqueues it, so it reads the time of that tick or a later one.
  for (const { payload } of recorder.events)
    t.ok(
      payload.at >= '2026-03-01T10:00:00.000Z' && payload.at <= '2026-03-01T12:00:00.000Z',
      `plugins read the test clock (${payload.at})`,
    );

  await t.rejects(host.clock.set('2026-03-01T11:00:00.000Z'), RangeError, 'never backwards');
  await t.rejects(host.clock.advance(-1), RangeError);
  await t.rejects(host.clock.advance(31 * 24 * 3600 * 1000 * 2), /more than 1000 times/, 'a runaway move is refused');
  t.equal(host.clock.now().toISOString(), '2026-03-01T12:00:00.000Z', 'a refused move leaves time as it was');
});

t.test("schedules: 'cron' lets schedules fire by wall time as well", async (t) => {
  const ticker = definePlugin({
    id: 'ticker',
    sdk: '^0.1.0',
    permissions: ['jobs', 'schedules'],
    setup(ctx) {
      ctx.job('tick', async () => undefined);
      ctx.schedule('every-second', { cron: '* * * * * *', job: 'tick' });
    },
  });
  const live = await startTestHost({ plugins: [ticker], schedules: 'cron' });
  t.teardown(() => live.close());
  await new Promise((resolve) => setTimeout(resolve, 2300));
  // Finished jobs are deleted; the ticks table keeps each firing.
  const { rows } = await live.kernel.knex.raw<{ rows: Array<{ n: number }> }>(
    'select count(*)::int as n from hostplane.schedule_ticks where schedule = ?',
    ['ticker:every-second'],
  );
  t.ok(rows[0]!.n >= 1, `wall-clock ticks fired (${rows[0]!.n})`);
  await live.drainJobs();
});
