/**
 * Uptime checks against real NGINX: a monitored page answers (up, figures per day); its text
 * disappears (down only after the configured failures in a row, one mail, one event, one open
 * outage); it comes back (up, a second mail with the outage's length, the outage closed);
 * suspended websites are not checked; a deleted website's checks go with it.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { eventually } from '../../websites/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t, { uptime: { failuresBeforeDown: 2 } });
  const { host, sql, admin, trees } = stack;
  const customer = stack.caller(trees.customerA);
  const events = host.recordEvents('uptime.check.down', 'uptime.check.up');
  /** One scheduled tick: the clock moves a minute, the dispatcher's job runs. */
  const tick = async () => {
    await host.clock.advance(60_000);
    await host.drainJobs();
  };
  const mails = async (tag: string) => sql('hostplane.outbox').where({ tag }).select('to_address', 'subject', 'text_body');

  const site = await stack.site('own');
  const page = path.join(site.publicDir, 'index.html');
  await writeFile(page, '<h1>Welcome to the shop</h1>');

  t.test('a monitored page that answers is up, with figures per day', async (t) => {
    const created = await customer.post('/v1/uptime/checks', { websiteId: site.id, keyword: 'Welcome', intervalMinutes: 1 });
    t.equal(created.status, 201, JSON.stringify(created.body));
    t.match(created.body, { state: 'unknown', url: `http://${site.domain}/`, lastCheck: null });
    await tick();
    const check = (await customer.get(`/v1/uptime/checks/${created.body.id}`)).body;
    t.match(check, { state: 'up', lastCheck: { statusCode: 200, error: null }, uptime7d: 100, uptime30d: 100 });
    t.equal(check.days.length, 1, 'one day of figures');
    t.match(check.days[0], { checks: 1, failures: 0, uptimePercent: 100 });
    t.same(check.incidents, []);
    t.equal(events.of('uptime.check.up').length, 0, 'unknown → up is no recovery');
  });

  t.test('down after two failures in a row: one mail, one event, one open outage', async (t) => {
    const [check] = (await customer.get(`/v1/uptime/checks?websiteId=${site.id}`)).body.items;
    await writeFile(page, '<h1>Maintenance</h1>');
    await tick();
    let now = (await customer.get(`/v1/uptime/checks/${check.id}`)).body;
    t.match(
      now,
      { state: 'up', lastCheck: { statusCode: 200, error: 'the keyword is not on the page' } },
      'one failure is not an outage',
    );
    t.same(await mails('uptime.site-down'), [], 'nobody mailed yet');
    await tick();
    now = (await customer.get(`/v1/uptime/checks/${check.id}`)).body;
    t.equal(now.state, 'down');
    t.equal(now.incidents.length, 1);
    t.match(now.incidents[0], { endedAt: null, durationSeconds: null, reason: 'the keyword is not on the page' });
    t.ok(now.uptime7d < 100 && now.uptime7d > 0, `uptime fell: ${now.uptime7d}`);
    const down = await mails('uptime.site-down');
    t.equal(down.length, 1, 'one mail');
    t.match(down[0], { to_address: trees.customerA.email, subject: `Down: http://${site.domain}/` });
    t.match(down[0].text_body, 'the keyword is not on the page');
    const [event] = events.of('uptime.check.down');
    t.match(event?.payload, { checkId: check.id, websiteId: site.id, ownerId: trees.customerA.id });
    await tick();
    t.equal((await mails('uptime.site-down')).length, 1, 'still one mail while it stays down');
  });

  t.test('back up: a second mail with how long it was down, the outage closed', async (t) => {
    const [check] = (await customer.get(`/v1/uptime/checks?websiteId=${site.id}`)).body.items;
    await writeFile(page, '<h1>Welcome back to the shop</h1>');
    await tick();
    const now = (await customer.get(`/v1/uptime/checks/${check.id}`)).body;
    t.equal(now.state, 'up');
    // Three ticks from the first failed check to the first good one. The test clock reads the
    // tick's own minute while a tick fires and the moved time after it, and a check may run in
    // either: so three minutes give or take the moment between them.
    const length = now.incidents[0].durationSeconds;
    t.ok(length >= 120 && length <= 240, `from the first failed check to the first good one: ${length} s`);
    const up = await mails('uptime.site-up');
    t.equal(up.length, 1);
    t.match(up[0].text_body, /[234] minutes/);
    t.match(events.of('uptime.check.up')[0]?.payload, { checkId: check.id, downSeconds: length });
  });

  t.test('a suspended website is not checked', async (t) => {
    const [check] = (await customer.get(`/v1/uptime/checks?websiteId=${site.id}`)).body.items;
    const before = check.lastCheck.at;
    t.equal((await admin.post(`/v1/websites/${site.id}/suspend`, { reason: 'test' })).status, 200);
    await tick();
    await tick();
    t.equal((await customer.get(`/v1/uptime/checks/${check.id}`)).body.lastCheck.at, before, 'no check made');
    t.equal((await admin.post(`/v1/websites/${site.id}/unsuspend`, {})).status, 200);
    await eventually(async () => {
      await host.drainJobs();
      const s = (await admin.get(`/v1/websites/${site.id}`)).body;
      return s.status === 'active' && s.converged ? s : undefined;
    }, 30_000);
  });

  t.test('check now answers at once, and not twice within seconds', async (t) => {
    const [check] = (await customer.get(`/v1/uptime/checks?websiteId=${site.id}`)).body.items;
    await host.clock.advance(60_000);
    const run = await customer.post(`/v1/uptime/checks/${check.id}/run`, {});
    t.equal(run.status, 200, JSON.stringify(run.body));
    t.match(run.body, { state: 'up', lastCheck: { statusCode: 200 } });
    const again = await customer.post(`/v1/uptime/checks/${check.id}/run`, {});
    t.equal(again.status, 409);
    t.equal(again.body.error.code, 'UPTIME_ERR_TOO_SOON');
  });

  t.test('metrics count checks by state, for administrators', async (t) => {
    const res = await host.inject({
      method: 'GET',
      url: '/v1/uptime/metrics',
      headers: host.headersFor('super_admin', { userId: trees.admin.id }),
    });
    t.equal(res.statusCode, 200);
    t.match(res.body, /hostplane_uptime_checks\{state="up"\} 1\n/);
    t.equal((await customer.get('/v1/uptime/metrics')).status, 403);
  });

  t.test("a deleted website's checks go with it", async (t) => {
    const other = await stack.site('own');
    const made = await customer.post('/v1/uptime/checks', { websiteId: other.id, intervalMinutes: 5 });
    t.equal(made.status, 201);
    t.equal((await admin.del(`/v1/websites/${other.id}`)).status, 202);
    await host.drainJobs();
    t.equal((await customer.get(`/v1/uptime/checks/${made.body.id}`)).status, 404);
  });
}
