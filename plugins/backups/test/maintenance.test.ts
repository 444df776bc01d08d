/**
 * The schedules, moved by the test clock: the nightly window backs up every site whose package
 * includes backups (and no other); retention forgets what the policy no longer keeps, gives the
 * package its count back and prunes; `restic check` passes on a sound repository and raises
 * `backup.repository.check-failed` on a damaged one.
 */
import t from 'tap';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeUser } from '../../accounts/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + nginx: ${missing}`);
} else {
  // The windows are hours of the server's time zone; the times below are UTC.
  process.env.TZ = 'UTC';
  const stack = await startStack(t, {
    clock: '2026-03-01T02:30:00Z',
    // The test moves the clock a day: the websites sweep ticks hourly, not every minute.
    websites: { sweepCron: '0 * * * *' },
    backups: {
      // Every site starts at 03:00, the window's only hourly step.
      tickMinutes: 60,
      window: { fromHour: 3, toHour: 4 },
      retentionSchedule: '47 5 * * *',
      // 06:00 of the first day only: it sees a sound repository; the damaged one is checked on demand.
      checkSchedule: '0 6 1 3 *',
      retention: { keepDaily: 1, keepWeekly: 0, keepMonthly: 0 },
    },
  });
  const { host, admin, trees, finished } = stack;
  const alice = stack.caller(trees.customerA);
  const kept = await stack.site('own');
  const eve = await makeUser(stack.sql, 'customer', trees.resellerA);
  const without = await stack.newPackage({ backups: 10 }, { backups: false });
  const notIncluded = await stack.site({ subscriptionId: await stack.subscribe(eve, without.id) });
  const frank = await makeUser(stack.sql, 'customer', trees.resellerA);
  const one = await stack.newPackage({ backups: 1 }, { backups: true });
  const frankSubscription = await stack.subscribe(frank, one.id);
  const full = await stack.site({ subscriptionId: frankSubscription });

  const checkFailures = host.recordEvents('backup.repository.check-failed');
  const settled = () =>
    eventually(
      async () => {
        const [row] = await stack.sql('plugin_backups.backups').whereIn('status', ['queued', 'running']).count({ n: '*' });
        return Number(row?.n) === 0 ? true : undefined;
      },
      60_000,
      100,
    );

  t.test('the nightly tick backs up every site whose package includes backups', async (t) => {
    await host.clock.set('2026-03-01T03:18:00Z');
    const scheduled = await eventually(async () => {
      const rows = await stack.sql('plugin_backups.backups').where({ trigger: 'schedule' });
      return rows.length === 2 ? rows : undefined;
    });
    await settled();
    t.same(
      scheduled.map((r) => r.website_id).sort(),
      [kept.id, full.id].sort(),
      'the site without backups in its package is left out',
    );
    for (const row of scheduled) t.equal((await finished(admin, row.id)).status, 'succeeded');
    const none = (await admin.get(`/v1/backups?websiteId=${notIncluded.id}`)).body;
    t.equal(none.total, 0);
  });

  t.test('retention forgets what the policy no longer keeps and gives the count back', async (t) => {
    for (let i = 0; i < 2; i += 1) {
      const b = await alice.post('/v1/backups', { websiteId: kept.id });
      t.equal((await finished(alice, b.body.id)).status, 'succeeded');
    }
    const usage = async () =>
      (
        await stack
          .sql('hostplane.subscription_usage')
          .where({ subscription_id: stack.subscriptions.own, resource: 'backups' })
          .first()
      )?.used;
    t.equal(Number(await usage()), 3);
    await host.clock.set('2026-03-01T05:48:00Z');
    const forgotten = await eventually(
      async () => {
        const rows = await stack.sql('plugin_backups.backups').where({ website_id: kept.id, status: 'forgotten' });
        return rows.length === 2 ? rows : undefined;
      },
      60_000,
      200,
    );
    t.equal(forgotten.length, 2, 'keep-daily 1: the two older ones of the day go');
    await eventually(async () => (Number(await usage()) === 1 ? true : undefined));
    // The run goes on to `prune` under restic's exclusive lock after the rows are marked: let it end.
    await host.drainJobs({ timeoutMs: 120_000 });
    const snapshots = JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `site:${kept.id}`]));
    t.equal(snapshots.length, 1);
    const gone = await alice.post(`/v1/backups/${forgotten[0].id}/restore`, {});
    t.equal(gone.status, 410);
    t.equal(gone.body.error.code, 'BACKUPS_ERR_SNAPSHOT_GONE');
  });

  t.test('the scheduled restic check passes quietly on a sound repository', async (t) => {
    // The retention's prune holds the exclusive lock until it is done; check needs it too.
    await eventually(
      async () => ((await stack.restic(['list', 'locks', '--no-lock'])).trim() === '' ? true : undefined),
      60_000,
      200,
    );
    await host.clock.set('2026-03-01T06:00:00Z');
    await eventually(async () =>
      host.logs().some((l: { msg?: string }) => l.msg === 'backup repository checked: no errors') ? true : undefined,
    );
    t.equal(checkFailures.events.length, 0, 'a sound repository raises nothing');
  });

  // Queued on demand: the schedule itself is proven by the 06:00 run above.
  t.test('restic check on a damaged repository raises backup.repository.check-failed', async (t) => {
    // Damage it: the index files are garbled (restic fails on them at once; a missing file
    // would instead be retried by restic's back end for many minutes).
    const indexDir = path.join(stack.repository, 'index');
    const saved = new Map<string, Buffer>();
    for (const f of await fs.readdir(indexDir)) {
      saved.set(f, await fs.readFile(path.join(indexDir, f)));
      await fs.writeFile(path.join(indexDir, f), Buffer.alloc(saved.get(f)!.length, 7));
    }
    try {
      await host.kernel.jobs.enqueue('backups:check-repository', {}, {});
      const event = await checkFailures.waitFor('backup.repository.check-failed', undefined, 30_000);
      t.equal(event.payload.repository, stack.repository);
      t.match(event.payload.error, /exit 1/);
    } finally {
      for (const [f, body] of saved) await fs.writeFile(path.join(indexDir, f), body);
    }
    checkFailures.stop();
  });

  t.test('a subscription at its count: the next night forgets its oldest, retention removes the snapshot', async (t) => {
    const [first] = await stack.sql('plugin_backups.backups').where({ website_id: full.id, status: 'succeeded' });
    await host.clock.set('2026-03-02T03:18:00Z');
    const second = await eventually(async () => {
      const rows = await stack.sql('plugin_backups.backups').where({ website_id: full.id }).whereNot({ id: first.id });
      return rows.length ? rows[0] : undefined;
    });
    const secondDone = await finished(admin, second.id);
    t.equal(secondDone.status, 'succeeded');
    await settled();
    t.equal((await stack.sql('plugin_backups.backups').where({ id: first.id }).first()).status, 'forgotten');
    t.equal((await stack.caller(frank).post(`/v1/backups/${first.id}/restore`, {})).status, 410);
    await host.clock.set('2026-03-02T05:48:00Z');
    await eventually(
      async () => {
        const listed = JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `site:${full.id}`]));
        return listed.length === 1 && listed[0].id === secondDone.snapshotId ? true : undefined;
      },
      60_000,
      300,
    );
    t.pass('only the newer snapshot is left in the repository');
    // The prune that follows the forget holds the exclusive lock until it is done.
    await eventually(
      async () => ((await stack.restic(['list', 'locks', '--no-lock'])).trim() === '' ? true : undefined),
      60_000,
      200,
    );
  });
}
