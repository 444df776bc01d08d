/**
 * Metering against the real stack: real requests to real NGINX write real logs; the schedules
 * rotate and count them (once, however often a file is offered) and measure the sites' disk;
 * crossing a quota does what the README says: a warning at 80 %, uploads and new sites refused
 * at 100 % of disk, the subscription suspended on bandwidth overage with `suspend`, its sites
 * served slower with `throttle` until the package allows the month's use again.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { makeZip } from '../../websites/test/zip-fixtures.js';
import { startStack, stackMissing, visit } from './stack.js';

// Real NGINX, PHP-FPM and PostgreSQL on a machine other suites share: more than tap's 120 s default.
t.setTimeout(300_000);

const missing = stackMissing();
if (missing) {
  t.skip(`real nginx: ${missing}`);
} else {
  const stack = await startStack(t, { metering: { bandwidthOverage: 'suspend' } });
  const { host, admin, trees, port, meter, sql } = stack;
  const events = host.recordEvents('usage.threshold.crossed');
  // Customer A: 2 MB of disk, plenty of bandwidth. Customer B: no bandwidth at all (any traffic is overage).
  const small = await stack.newPackage({ disk_mb: 2, bandwidth_gb: 100 });
  // bandwidth_gb left out: a package's missing limit is 0. (An explicit 0 in the packages API
  // reads as null, unlimited: ajv's type coercion of `null | integer`; reported.)
  const noTraffic = await stack.newPackage({ disk_mb: 1000 });
  const subA = await stack.subscribe(trees.customerA, small.id);
  const subB = await stack.subscribe(trees.customerB, noTraffic.id);
  const siteA = await stack.site(subA);
  const customerA = stack.caller(trees.customerA);

  t.test('requests become statistics: totals, status codes, bandwidth, top paths; counted once', async (t) => {
    await fs.writeFile(path.join(siteA.publicDir, 'index.html'), 'x'.repeat(2000));
    for (let i = 0; i < 5; i += 1) t.equal((await visit(port, siteA.domain, '/')).status, 200);
    for (let i = 0; i < 3; i += 1) t.equal((await visit(port, siteA.domain, '/missing?page=1')).status, 404);
    await meter();
    const stats = (await customerA.get(`/v1/websites/${siteA.id}/stats`)).body;
    t.equal(stats.totals.requests, 8);
    t.equal(stats.totals.status2xx, 5);
    t.equal(stats.totals.status4xx, 3);
    t.ok(stats.totals.bytesOut > 5 * 2000, `bytes out counted (${stats.totals.bytesOut})`);
    t.ok(stats.totals.bytesIn > 0);
    t.same(
      stats.topPaths.map((p: { path: string; requests: number }) => [p.path, p.requests]),
      [
        ['/', 5],
        ['/missing', 3],
      ],
      'paths without their query, busiest first',
    );
    t.equal(stats.series.length, 1, 'one day');
    t.ok(stats.disk && stats.disk.bytes > 2000, 'disk measured');

    // The next run offers the same rotated files again: nothing is counted twice.
    await meter();
    t.equal((await customerA.get(`/v1/websites/${siteA.id}/stats`)).body.totals.requests, 8);
    const hourly = (await customerA.get(`/v1/websites/${siteA.id}/stats?bucket=hour`)).body;
    t.equal(hourly.totals.requests, 8);
    t.equal(
      (await customerA.get(`/v1/websites/${siteA.id}/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`)).status,
      400,
    );
    t.equal((await customerA.get(`/v1/websites/${siteA.id}/stats?from=yesterday`)).status, 400);
  });

  t.test('logs are searchable: text, status class, kind; newest first', async (t) => {
    await visit(port, siteA.domain, '/fresh-line');
    const all = (await customerA.get(`/v1/websites/${siteA.id}/logs?kind=access`)).body;
    t.equal(all.items[0].path, '/fresh-line', 'the current log is read too, newest first');
    const missing = (await customerA.get(`/v1/websites/${siteA.id}/logs?q=MISSING`)).body;
    t.equal(missing.items.length, 3);
    t.ok(missing.items.every((l: { status: number }) => l.status === 404));
    const errors = (await customerA.get(`/v1/websites/${siteA.id}/logs?status=4xx&limit=2`)).body;
    t.equal(errors.items.length, 2, 'limit');
    const ok = (await customerA.get(`/v1/websites/${siteA.id}/logs?status=2xx`)).body;
    t.equal(ok.items.length, 5);
    t.ok(ok.items.every((l: { status: number }) => l.status === 200));
    t.equal((await customerA.get(`/v1/websites/${siteA.id}/logs?q=${'a'.repeat(201)}`)).status, 400, 'huge search');
    t.equal((await customerA.get(`/v1/websites/${siteA.id}/logs?q=%00`)).status, 400, 'NUL byte');
    t.equal((await customerA.get(`/v1/websites/${siteA.id}/logs?status=6xx`)).status, 400);
  });

  t.test('disk: a warning at 80 %; at 100 % uploads and new sites are refused with 409; freeing space lifts it', async (t) => {
    const big = path.join(siteA.publicDir, 'big.bin');
    await fs.writeFile(big, Buffer.alloc(1_700_000, 1));
    await meter();
    const warning = await events.waitFor('usage.threshold.crossed', (p) => p.resource === 'disk_mb' && p.level === 'warning');
    t.equal(warning.payload.subscriptionId, subA);
    t.equal(warning.payload.action, 'notified');
    const usage = (await customerA.get('/v1/usage')).body.items.find(
      (s: { subscriptionId: string }) => s.subscriptionId === subA,
    );
    t.ok(usage.diskBytes >= 1_700_000);
    t.same(
      usage.usage.find((u: { resource: string }) => u.resource === 'disk_mb'),
      { resource: 'disk_mb', used: Math.ceil(usage.diskBytes / 1024 / 1024), limit: 2 },
      'recorded as the package’s disk_mb usage',
    );
    const mails = await sql('hostplane.outbox').where({ tag: 'metering.quota-warning', to_address: trees.customerA.email });
    t.equal(mails.length, 1, 'the customer is mailed once');
    t.match(mails[0], { subject: "Your hosting package's disk space is nearly used up", source: 'metering' });
    t.match(mails[0].text_body, /^You use \d+ MB of 2 MB\.\n\nFree space or upgrade/);
    t.match(mails[0].html_body, /<!doctype html>.*You use \d+ MB of 2 MB/s, 'in the shared layout');

    // Below the limit, an upload that fits passes; one that does not is refused.
    const upload = (bytes: number) =>
      host.inject({
        method: 'PUT',
        url: `/v1/websites/${siteA.id}/files/content?path=up.bin`,
        headers: host.headersFor('customer', { userId: trees.customerA.id }),
        payload: { content: Buffer.alloc(bytes, 2).toString('base64'), encoding: 'base64' },
      });
    t.equal((await upload(10_000)).statusCode, 200, 'an upload that fits');
    const tooBig = await upload(900_000);
    t.equal(tooBig.statusCode, 409);
    t.equal(tooBig.json().error.code, 'METERING_ERR_DISK_QUOTA_EXCEEDED');
    // Copy and unzip count what they would write the same way, before writing anything.
    const change = (p: string, payload: Record<string, unknown>) =>
      host.inject({
        method: 'POST',
        url: `/v1/websites/${siteA.id}/files?path=${p}`,
        headers: host.headersFor('customer', { userId: trees.customerA.id }),
        payload,
      });
    const copy = await change('big.bin', { action: 'copy', to: 'big-2.bin' });
    t.equal(copy.json().error?.code, 'METERING_ERR_DISK_QUOTA_EXCEEDED', 'a copy beyond the disk');
    await fs.writeFile(
      path.join(siteA.publicDir, 'small.zip'),
      makeZip([{ name: 'zeros.bin', data: Buffer.alloc(900_000), deflate: true }]),
    );
    const unzip = await change('small.zip', { action: 'unzip', to: 'out' });
    t.equal(unzip.statusCode, 409, 'a small archive that unpacks beyond the disk');
    t.equal(unzip.json().error.code, 'METERING_ERR_DISK_QUOTA_EXCEEDED');
    t.notOk(await fs.stat(path.join(siteA.publicDir, 'out')).catch(() => null), 'nothing extracted');
    t.notOk(await fs.stat(path.join(siteA.publicDir, 'big-2.bin')).catch(() => null), 'nothing copied');
    await fs.rm(path.join(siteA.publicDir, 'small.zip'));

    await fs.writeFile(path.join(siteA.publicDir, 'more.bin'), Buffer.alloc(500_000, 1));
    await meter();
    const exceeded = await events.waitFor('usage.threshold.crossed', (p) => p.resource === 'disk_mb' && p.level === 'exceeded');
    t.equal(exceeded.payload.subscriptionId, subA);
    const refused = await upload(1);
    t.equal(refused.statusCode, 409, 'a full disk refuses even one byte');
    t.match(refused.json().error, { code: 'METERING_ERR_DISK_QUOTA_EXCEEDED', details: { resource: 'disk_mb', limit: 2 } });
    const create = await customerA.post('/v1/websites', {
      domain: `full-${Date.now()}.example.test`,
      kind: 'static',
      subscriptionId: subA,
    });
    t.equal(create.status, 409);
    t.equal(create.body.error.code, 'METERING_ERR_DISK_QUOTA_EXCEEDED');

    await fs.rm(big);
    await fs.rm(path.join(siteA.publicDir, 'more.bin'));
    await meter();
    t.equal((await upload(10_000)).statusCode, 200, 'space freed: uploads pass again');
  });

  t.test('bandwidth overage with the suspend action suspends the subscription through accounts', async (t) => {
    const siteB = await stack.site(subB);
    t.equal((await visit(port, siteB.domain, '/')).status, 200);
    await meter();
    const crossed = await events.waitFor(
      'usage.threshold.crossed',
      (p) => p.resource === 'bandwidth_gb' && p.subscriptionId === subB,
    );
    t.equal(crossed.payload.level, 'exceeded');
    t.equal(crossed.payload.action, 'suspended');
    const sub = (await admin.get(`/v1/subscriptions/${subB}`)).body;
    t.equal(sub.status, 'suspended');
    t.match(sub.suspendReason, /bandwidth/i);
    t.equal(sub.suspendedBy, 'platform', 'only an administrator lifts it');
    // The sites follow their subscription: NGINX answers the suspension page.
    const { status } = await (async () => {
      for (let i = 0; i < 100; i += 1) {
        const r = await visit(port, siteB.domain, '/');
        if (r.status === 503) return r;
        await new Promise((r) => setTimeout(r, 100));
      }
      return visit(port, siteB.domain, '/');
    })();
    t.equal(status, 503, 'the site shows the suspension page');
    t.notOk(
      events
        .of('usage.threshold.crossed')
        .some((e) => e.payload.subscriptionId === subA && e.payload.resource === 'bandwidth_gb'),
      'a subscription within its bandwidth is left alone',
    );
    // One mail says it: the suspension's own (its reason names the bandwidth), not a quota mail as well.
    const mails = await sql('hostplane.outbox').where({ to_address: trees.customerB.email }).select('tag', 'subject');
    t.same(
      mails.map((m: { tag: string }) => m.tag),
      ['accounts.subscription-suspended'],
      'the customer gets one mail about it',
    );
  });

  t.test('per-site metrics: the busiest by name, the rest as _other', async (t) => {
    await host.kernel.setConfig('metering', { bandwidthOverage: 'suspend', diskOpsPerSecond: 100_000, metricsTopSites: 1 });
    const res = await host.inject({ method: 'GET', url: '/v1/metering/metrics', headers: host.headersFor('super_admin') });
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/plain/);
    t.match(res.body, new RegExp(`hostplane_site_http_requests_total\\{site="${siteA.name}"\\} \\d+`));
    t.match(res.body, /hostplane_site_http_requests_total\{site="_other"\} 1\n/);
    const series = res.body.split('\n').filter((l) => l.startsWith('hostplane_site_http_requests_total{'));
    t.equal(series.length, 2, 'top 1 + _other');
  });

  t.test('bandwidth overage with the throttle action slows the sites until the package allows it again', async (t) => {
    await host.kernel.setConfig('metering', {
      bandwidthOverage: 'throttle',
      throttleKilobytesPerSecond: 16,
      throttleConnections: 1,
      diskOpsPerSecond: 100_000,
    });
    const noBandwidth = await stack.newPackage({ disk_mb: 1000 });
    const subC = await stack.subscribe(trees.customerA, noBandwidth.id);
    const siteC = await stack.site(subC);
    await fs.writeFile(path.join(siteC.publicDir, 'file.bin'), Buffer.alloc(48 * 1024, 1));
    t.equal((await visit(port, siteC.domain, '/')).status, 200);
    await meter();
    const crossed = await events.waitFor(
      'usage.threshold.crossed',
      (p) => p.resource === 'bandwidth_gb' && p.subscriptionId === subC,
    );
    t.equal(crossed.payload.action, 'throttled');
    t.equal((await admin.get(`/v1/subscriptions/${subC}`)).body.status, 'active', 'not suspended');

    /** While one download runs, whether a second request is refused (the throttle's one connection). */
    const secondRefused = async () => {
      const slow = visit(port, siteC.domain, '/file.bin');
      await new Promise((r) => setTimeout(r, 200));
      const second = await visit(port, siteC.domain, '/');
      const first = await slow;
      t.equal(first.status, 200, 'the download itself is served');
      return second.status === 503;
    };
    const until = async (want: boolean) => {
      for (let i = 0; i < 50; i += 1) {
        if ((await secondRefused()) === want) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    };
    t.ok(await until(true), 'throttled: one answer at a time, at 16 KB/s');

    // A larger package: the month's use is under the limit again, and the next count lifts it.
    const patched = await admin.patch(`/v1/packages/${noBandwidth.id}`, {
      limits: {
        websites: 20,
        domains: 20,
        databases: 0,
        email_accounts: 0,
        cron_jobs: 0,
        backups: 0,
        disk_mb: 1000,
        bandwidth_gb: 100,
      },
    });
    t.equal(patched.status, 200, JSON.stringify(patched.body));
    await meter();
    t.ok(await until(false), 'lifted: a second request is served beside a download');
  });
}
