/**
 * Per-package schedules, retention and storage, with the test clock and real restic: a weekly
 * package's site is backed up on its weekday only, a daily one every day, each inside its
 * package's window at its own minute; retention keeps what each package says (its config
 * otherwise); a subscription whose backup storage is used up is refused on demand (409) and
 * skipped by the schedule with an event and a mail, once per window.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeUser } from '../../accounts/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { BackupsConfig } from '../src/config.js';
import { policyOf, slotOf, windowAt } from '../src/services/policy.js';
import { startStack, stackMissing } from './stack.js';
import { Value } from '@sinclair/typebox/value';

// The windows are hours of the server's time zone; the times below are UTC.
process.env.TZ = 'UTC';

t.test('slots spread over the window, on its steps, never outside it', async (t) => {
  const config = Value.Default(BackupsConfig, {}) as BackupsConfig;
  const policy = policyOf({ backup_window_from: 1, backup_window_to: 5 }, config);
  const window = windowAt(new Date('2026-03-02T03:10:00Z'), policy)!;
  t.same([window.start.toISOString(), window.end.toISOString()], ['2026-03-02T01:00:00.000Z', '2026-03-02T05:00:00.000Z']);
  const slots = Array.from({ length: 200 }, (_, i) => slotOf(`site-${i}`, window, 5));
  t.same(
    slots.filter((s) => s < window.start || s >= window.end || s.getUTCMinutes() % 5 !== 0),
    [],
    'every slot inside the window, on a step',
  );
  const minutes = new Set(slots.map((s) => s.getTime()));
  t.ok(minutes.size > 30, `200 sites over 48 steps use many of them (${minutes.size})`);
  t.equal(windowAt(new Date('2026-03-02T05:00:00Z'), policy), null, 'the close is exclusive');
  t.ok(
    Value.Check(BackupsConfig, Value.Default(BackupsConfig, { schedule: '17 3 * * *' })),
    'a config saved with the old nightly schedule still loads',
  );
  const overnight = windowAt(
    new Date('2026-03-03T02:00:00Z'),
    policyOf({ backup_frequency: 'weekly', backup_weekday: 1, backup_window_from: 22, backup_window_to: 4 }, config),
  );
  t.equal(overnight?.start.toISOString(), '2026-03-02T22:00:00.000Z', 'a weekly window spanning midnight opens on its weekday');
  t.equal(
    windowAt(new Date('2026-03-04T02:00:00Z'), policyOf({ backup_frequency: 'weekly', backup_weekday: 1 }, config)),
    null,
    'a weekly window is closed on the other days',
  );
});

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + nginx: ${missing}`);
} else {
  const TICK = 30;
  // Sunday 1 March 2026, before any window.
  const stack = await startStack(t, {
    clock: '2026-03-01T00:00:00Z',
    websites: { sweepCron: '0 * * * *' },
    backups: {
      tickMinutes: TICK,
      frequency: 'daily',
      window: { fromHour: 1, toHour: 5 },
      retention: { keepDaily: 2, keepWeekly: 0, keepMonthly: 0 },
      // Retention and check run on demand below.
      retentionSchedule: '0 0 1 1 *',
      checkSchedule: '0 0 1 1 *',
    },
  });
  const { host, admin, trees, finished } = stack;
  const config = Value.Default(BackupsConfig, {
    tickMinutes: TICK,
    window: { fromHour: 1, toHour: 5 },
    retention: { keepDaily: 2, keepWeekly: 0, keepMonthly: 0 },
  }) as BackupsConfig;

  const newCustomerSite = async (limits: Record<string, number | null>, features: Record<string, unknown>) => {
    const customer = await makeUser(stack.sql, 'customer', trees.resellerA);
    const pkg = await stack.newPackage({ backups: 20, ...limits }, { backups: true, ...features });
    const subscriptionId = await stack.subscribe(customer, pkg.id);
    return { customer, pkg, subscriptionId, site: await stack.site({ subscriptionId }) };
  };
  // Weekly on Wednesdays, 02–04; daily 01–03 keeping 1 a day; daily by the config (01–05) keeping 4.
  const weekly = await newCustomerSite(
    {},
    { backup_frequency: 'weekly', backup_weekday: 3, backup_window_from: 2, backup_window_to: 4 },
  );
  const daily = await newCustomerSite(
    {},
    { backup_frequency: 'daily', backup_window_from: 1, backup_window_to: 3, backup_keep_daily: 1 },
  );
  const byConfig = await newCustomerSite({}, { backup_keep_daily: 4 });
  const sites = { weekly, daily, byConfig };
  const hours = { weekly: [2, 4], daily: [1, 3], byConfig: [1, 5] } as const;

  const settled = () =>
    eventually(
      async () => {
        const [row] = await stack.sql('plugin_backups.backups').whereIn('status', ['queued', 'running']).count({ n: '*' });
        return Number(row?.n) === 0 ? true : undefined;
      },
      60_000,
      100,
    );

  /** Move the clock to `until` a scheduler step at a time (each step's job sees its own time); `seen` after each. */
  const walk = async (until: string, seen: () => Promise<void> = async () => undefined) => {
    const end = new Date(until).getTime();
    while (host.clock.now().getTime() < end) {
      await host.clock.advance(TICK * 60_000);
      await host.drainJobs({ timeoutMs: 60_000 });
      await seen();
      await settled();
    }
  };

  t.test('each site is backed up per its package: weekday, window and its own minute', async (t) => {
    const firstSeen = new Map<string, { site: keyof typeof sites; at: Date }>();
    // Sunday 00:00 to Thursday 00:00.
    await walk('2026-03-05T00:00:00Z', async () => {
      for (const row of await stack.sql('plugin_backups.backups').where({ trigger: 'schedule' })) {
        if (firstSeen.has(row.id)) continue;
        const site = (Object.keys(sites) as Array<keyof typeof sites>).find((k) => sites[k].site.id === row.website_id)!;
        firstSeen.set(row.id, { site, at: host.clock.now() });
      }
    });
    const days = (k: keyof typeof sites) =>
      [...firstSeen.values()].filter((v) => v.site === k).map((v) => v.at.toISOString().slice(0, 10));
    t.same(days('weekly'), ['2026-03-04'], 'the weekly site: Wednesday only');
    t.same(days('daily'), ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'], 'the daily site: every day');
    t.same(days('byConfig'), ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'], 'the config’s frequency');
    for (const { site, at } of firstSeen.values()) {
      const [from, to] = hours[site];
      t.ok(at.getUTCHours() >= from && at.getUTCHours() < to, `${site} started at ${at.toISOString()}, inside ${from}–${to}`);
      const policy = policyOf((await admin.get(`/v1/packages/${sites[site].pkg.id}`)).body.features, config);
      t.equal(
        at.toISOString(),
        slotOf(sites[site].site.id, windowAt(at, policy)!, TICK).toISOString(),
        `${site} started at its own minute of the window`,
      );
    }
    for (const row of await stack.sql('plugin_backups.backups').where({ trigger: 'schedule' })) {
      t.equal((await finished(admin, row.id)).status, 'succeeded');
    }
  });

  t.test('retention keeps what each package says, the config what it leaves unset', async (t) => {
    // Two more of each daily site, on Thursday (snapshots are dated by the platform's clock).
    for (const k of ['daily', 'byConfig'] as const) {
      for (let i = 0; i < 2; i += 1) {
        const b = await admin.post('/v1/backups', { websiteId: sites[k].site.id });
        t.equal(b.status, 202, JSON.stringify(b.body));
        t.equal((await finished(admin, b.body.id)).status, 'succeeded');
      }
    }
    await host.kernel.jobs.enqueue('backups:apply-retention', {}, {});
    await host.drainJobs({ timeoutMs: 120_000 });
    const kept = async (k: keyof typeof sites) =>
      (await stack.sql('plugin_backups.backups').where({ website_id: sites[k].site.id, status: 'succeeded' })).length;
    const listed = async (k: keyof typeof sites) =>
      JSON.parse(await stack.restic(['snapshots', '--json', '--no-lock', '--tag', `site:${sites[k].site.id}`])).length;
    t.equal(await kept('daily'), 1, 'the package keeps 1 a day');
    t.equal(await listed('daily'), 1);
    t.equal(await kept('byConfig'), 4, 'the package keeps 4 a day');
    t.equal(await listed('byConfig'), 4);
    t.equal(await kept('weekly'), 1, 'no keep counts: the config’s 2 a day');
  });

  t.test('a used-up backup storage: 409 on demand, skipped on schedule with an event and a mail', async (t) => {
    const full = await newCustomerSite(
      { backup_storage_mb: 1 },
      { backup_frequency: 'daily', backup_window_from: 1, backup_window_to: 5 },
    );
    // 2 MiB restic cannot compress.
    await fs.writeFile(path.join(full.site.publicDir, 'noise.bin'), randomBytes(2 * 1024 * 1024));
    const me = stack.caller(full.customer);
    const first = await me.post('/v1/backups', { websiteId: full.site.id });
    t.equal(first.status, 202, 'the first one fits');
    const done = await finished(me, first.body.id);
    t.equal(done.status, 'succeeded');
    const stats = JSON.parse(await stack.restic(['stats', '--json', '--no-lock', '--mode', 'raw-data', done.snapshotId]));
    const expected = Math.ceil(stats.total_size / (1024 * 1024));
    t.ok(expected >= 2, `the snapshot stores ${stats.total_size} bytes`);
    const line = await eventually(async () => {
      const usage = (await me.get(`/v1/subscriptions/${full.subscriptionId}/usage`)).body;
      const l = usage.resources.find((r: { resource: string }) => r.resource === 'backup_storage_mb');
      return l && l.used > 0 ? l : undefined;
    });
    t.match(line, { used: expected, limit: 1, enforced: true }, 'restic’s raw data, rounded up to MiB');

    const refused = await me.post('/v1/backups', { websiteId: full.site.id });
    t.equal(refused.status, 409);
    t.equal(refused.body.error.code, 'BACKUPS_ERR_STORAGE_FULL');
    t.match(refused.body.error.details, { resource: 'backup_storage_mb', used: expected, limit: 1 });

    const skipped = host.recordEvents('backup.skipped');
    const before = (await stack.sql('plugin_backups.backups').where({ website_id: full.site.id })).length;
    // Thursday's window, 01:00–05:00: every step of it.
    await walk('2026-03-05T05:00:00Z');
    t.equal((await stack.sql('plugin_backups.backups').where({ website_id: full.site.id })).length, before, 'no backup queued');
    const events = skipped.events.filter((e) => e.payload.websiteId === full.site.id);
    t.equal(events.length, 1, 'one event for the window, however many steps');
    t.match(events[0]!.payload, { reason: 'storage_full', usedMb: expected, limitMb: 1, subscriptionId: full.subscriptionId });
    skipped.stop();
    const mails = await stack.sql('hostplane.outbox').where({ tag: 'backups.storage-full', to_address: full.customer.email });
    t.equal(mails.length, 1, 'the customer is told once');
    t.match(mails[0].subject, /storage is used up/);
    t.equal(
      (await stack.sql('plugin_backups.backups').where({ website_id: sites.daily.site.id, trigger: 'schedule' })).length,
      5,
      'the other subscriptions are backed up as usual',
    );
  });
}
