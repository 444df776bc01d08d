/**
 * Automatic HTTPS (decision 0084): with `autoIssue` on, a new website gets its first certificate
 * from pebble without anyone ordering it, once NGINX serves it; activating it again (suspend,
 * unsuspend) orders nothing more.
 */
import t from 'tap';
import { caller } from '../../accounts/test/helpers.js';
import { eventually, fetchTls, stackMissing, startStack } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `pebble + nginx + pdns_server: ${missing}`);
} else {
  const stack = await startStack({ tlsConfig: { autoIssue: true } });
  t.teardown(() => stack.close());
  const { host, alice, admin, httpsPort } = stack;
  const asAlice = caller(host, alice);

  t.test('a new website is served over HTTPS with a certificate nobody ordered', async (t) => {
    const site = await stack.website('auto');
    const url = `/v1/websites/${site.id}/certificate`;
    const cert = await eventually(async () => {
      const c = (await asAlice.get(url)).body;
      return c.state === 'issued' && c.served ? c : undefined;
    }, 120_000);
    t.match(cert.issuer, /Pebble Intermediate/);
    const answer = await fetchTls(httpsPort, site.domain, await stack.pebble.root());
    t.ok(answer.authorized, 'the served chain verifies against pebble’s root');

    const audit = await stack.sql('hostplane.audit_log').where({ action: 'tls.certificate.requested', target_id: site.id });
    t.equal(audit.length, 1, 'one order, recorded without an actor');
    t.equal(audit[0]?.actor_id ?? null, null);

    // Suspended and unsuspended: activated again, but its certificate is not ordered again.
    const asAdmin = caller(host, admin);
    t.equal((await asAdmin.post(`/v1/websites/${site.id}/suspend`, { reason: 'test' })).status, 200);
    t.equal((await asAdmin.post(`/v1/websites/${site.id}/unsuspend`, {})).status, 200);
    await host.drainJobs({ timeoutMs: 60_000 });
    await eventually(async () => ((await asAlice.get(`/v1/websites/${site.id}`)).body.status === 'active' ? true : undefined));
    await host.drainJobs({ timeoutMs: 60_000 });
    const after = (await asAlice.get(url)).body;
    t.equal(after.state, 'issued');
    t.equal(after.serial, cert.serial, 'the same certificate, no second order');
    const again = await stack.sql('hostplane.audit_log').where({ action: 'tls.certificate.requested', target_id: site.id });
    t.equal(again.length, 1);
  });
}
