/**
 * Per-customer backups (`POST /v1/backups { customerId }`, decision 0072): one backup per live
 * site of the customer, each its own snapshot tagged with site, customer and kind, each its own
 * job under the concurrency limit; sites their package refuses are skipped, not fatal. Role ×
 * own/foreign customer, table-driven like authorization.test.ts.
 */
import t from 'tap';
import type { Role } from '@hostplane/sdk';
import type { Which } from '../../accounts/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + nginx: ${missing}`);
} else {
  const stack = await startStack(t, { backups: { concurrency: 2 } });
  const { admin, trees, finished } = stack;
  // Customer A: two sites with backups, one whose package has none. Customer B: one site.
  const bare = await stack.newPackage({ backups: 5 }, { backups: false });
  const bareSub = await stack.subscribe(trees.customerA, bare.id);
  const own = [await stack.site('own'), await stack.site('own')];
  const refused = await stack.site({ subscriptionId: bareSub });
  const foreign = await stack.site('foreign');
  const customerOf: Record<Which, string> = { own: trees.customerA.id, foreign: trees.customerB.id };

  const TABLE: Record<Role, [number, number]> = {
    super_admin: [202, 202],
    reseller: [202, 404],
    customer: [202, 404],
    technical_user: [403, 403],
  };

  t.test('role × own/foreign customer', async (t) => {
    for (const [role, expected] of Object.entries(TABLE) as Array<[Role, [number, number]]>) {
      for (const [i, which] of (['own', 'foreign'] as const).entries()) {
        const res = await stack.caller(trees.actors[role]).post('/v1/backups', { customerId: customerOf[which] });
        t.equal(res.status, expected[i], `${role} × ${which}`);
        if (res.status === 404) t.equal(res.body.error.code, 'BACKUPS_ERR_CUSTOMER_NOT_FOUND');
      }
    }
    const anon = await stack.host.inject({ method: 'POST', url: '/v1/backups', payload: { customerId: customerOf.own } });
    t.equal(anon.statusCode, 401);
  });

  t.test('one backup per site, each its own snapshot and tags; a refused site is skipped', async (t) => {
    const res = await stack.caller(trees.customerA).post('/v1/backups', { customerId: trees.customerA.id });
    t.equal(res.status, 202);
    t.equal(res.body.customerId, trees.customerA.id);
    t.same(res.body.items.map((b: { websiteId: string }) => b.websiteId).sort(), own.map((s) => s.id).sort());
    t.same(
      res.body.skipped.map((s: { websiteId: string; code: string }) => [s.websiteId, s.code]),
      [[refused.id, 'BACKUPS_ERR_NOT_IN_PACKAGE']],
    );
    const done = await Promise.all(res.body.items.map((b: { id: string }) => finished(admin, b.id)));
    t.same(
      done.map((b) => b.status),
      ['succeeded', 'succeeded'],
    );
    for (const b of done) {
      const snaps = JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `backup:${b.id}`])) as Array<{
        id: string;
        tags: string[];
      }>;
      t.equal(snaps.length, 1, 'one snapshot per site');
      t.same(
        snaps[0]!.tags.sort(),
        [`backup:${b.id}`, `customer:${trees.customerA.id}`, 'kind:files', `site:${b.websiteId}`].sort(),
      );
    }
    const listed = (await stack.caller(trees.resellerA).get(`/v1/backups?ownerId=${trees.customerA.id}&limit=100`)).body;
    t.ok(listed.items.length >= 2);
    t.ok(listed.items.every((b: { ownerId: string }) => b.ownerId === trees.customerA.id));
    t.equal((await stack.caller(trees.resellerA).get(`/v1/backups?ownerId=${trees.customerB.id}`)).body.total, 0);
  });

  t.test('the CLI: hostplane backups create --customer', async (t) => {
    const run = async (args: string[]) => {
      let out = '';
      let err = '';
      const code = await stack.host.kernel.runCommand('backups', 'create', args, {
        out: (s: string) => (out += s),
        err: (s: string) => (err += s),
      });
      return { code, out, err };
    };
    const done = await run(['--customer', trees.customerB.id]);
    t.equal(done.code, 0);
    t.match(done.out, `of ${foreign.name} queued`);
    t.equal((await run(['--customer'])).code, 2, 'usage');
    t.equal((await run(['--customer', 'nope'])).code, 2, 'usage');
  });

  t.test('bad input', async (t) => {
    const both = await admin.post('/v1/backups', { customerId: trees.customerA.id, websiteId: own[0]!.id });
    t.equal(both.status, 400);
    t.equal(both.body.error.code, 'BACKUPS_ERR_CREATE_CONFLICT');
    t.equal((await admin.post('/v1/backups', {})).body.error.code, 'BACKUPS_ERR_CREATE_CONFLICT');
    t.equal((await admin.post('/v1/backups', { customerId: 'nope' })).status, 400);
    const reseller = await admin.post('/v1/backups', { customerId: trees.resellerA.id });
    t.equal(reseller.status, 404, 'a reseller is not a customer');
    const lonely = await admin.post('/v1/backups', { customerId: trees.resellerB.id });
    t.equal(lonely.status, 404);
    // Only refusals: the first one is the answer, nothing queued.
    const onlyRefused = await stack.sql('plugin_backups.backups').count({ n: '*' });
    await stack.sql('plugin_websites.websites').whereIn('id', [own[0]!.id, own[1]!.id]).update({ desired: 'deleted' });
    try {
      const res = await admin.post('/v1/backups', { customerId: trees.customerA.id });
      t.equal(res.status, 403);
      t.equal(res.body.error.code, 'BACKUPS_ERR_NOT_IN_PACKAGE');
      t.same(await stack.sql('plugin_backups.backups').count({ n: '*' }), onlyRefused, 'nothing half-written');
    } finally {
      await stack.sql('plugin_websites.websites').whereIn('id', [own[0]!.id, own[1]!.id]).update({ desired: 'active' });
    }
  });

  t.test('every queued backup finishes, never more than two at once (concurrency 2)', async (t) => {
    const busy = await eventually(
      async () => {
        const b = await stack.sql('plugin_backups.backups').whereIn('status', ['queued', 'running']).count({ n: '*' });
        return Number(b[0]?.n) === 0 ? 0 : undefined;
      },
      120_000,
      200,
    );
    t.equal(busy, 0);
    const failed = await stack.sql('plugin_backups.backups').where({ status: 'failed' }).select('error');
    t.same(failed, []);
    // At each start, at most two runs (this one included) are under way.
    const runs = (await stack
      .sql('plugin_backups.backups')
      .where({ status: 'succeeded' })
      .select('started_at', 'finished_at')) as Array<{ started_at: Date; finished_at: Date }>;
    t.ok(runs.length >= 9);
    const widest = Math.max(
      ...runs.map((r) => runs.filter((o) => o.started_at <= r.started_at && o.finished_at > r.started_at).length),
    );
    t.ok(widest <= 2, `at most two at once (${widest})`);
  });
}
