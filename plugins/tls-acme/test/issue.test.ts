/**
 * A certificate from a real ACME CA (pebble) for a real site: HTTP-01 answered by our NGINX,
 * names resolved by our PowerDNS; the certificate served on the HTTPS port verifies against
 * pebble's root; the switches reach NGINX; the sweep renews it when the platform clock reaches
 * 30 days before expiry, and the new certificate is served.
 */
import t from 'tap';
import { caller } from '../../accounts/test/helpers.js';
import { get } from '../../webserver-nginx/test/helpers.js';
import { eventually, fetchTls, stackMissing, startStack } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `pebble + nginx + pdns_server: ${missing}`);
} else {
  const stack = await startStack();
  t.teardown(() => stack.close());
  const { host, alice, httpPort, httpsPort } = stack;
  const asAlice = caller(host, alice);
  const site = await stack.website('shop');
  const url = `/v1/websites/${site.id}/certificate`;

  /** The certificate once the web server serves it (the API says `served`). */
  async function served(serialNot?: string) {
    return eventually(async () => {
      const cert = (await asAlice.get(url)).body;
      return cert.state === 'issued' && cert.served && cert.serial !== serialNot ? cert : undefined;
    });
  }

  t.test('a site without a certificate is plain HTTP only', async (t) => {
    const cert = (await asAlice.get(url)).body;
    t.match(cert, { state: 'none', issuer: null, notAfter: null, forceHttps: false, domains: [site.domain] });
    t.equal((await asAlice.patch(url, { forceHttps: true })).body.error.code, 'TLS_ERR_NO_CERTIFICATE');
  });

  t.test('ordering: pending at once, issued by pebble through HTTP-01, served on the HTTPS port', async (t) => {
    const res = await asAlice.post(url);
    t.equal(res.status, 202);
    t.equal(res.body.state, 'pending');
    t.equal((await asAlice.post(url)).body.state, 'pending', 'asking again while pending changes nothing');
    await host.drainJobs({ timeoutMs: 60_000 });
    const cert = await served();
    t.match(cert.issuer, /Pebble Intermediate/);
    t.same(cert.names, [site.domain]);
    t.ok(Date.parse(cert.notAfter) > Date.now());

    const root = await stack.pebble.root();
    const answer = await fetchTls(httpsPort, site.domain, root);
    t.equal(answer.authorizationError, null, 'chain verifies against pebble’s root');
    t.ok(answer.authorized);
    t.equal(answer.certificate.serialNumber.toUpperCase(), cert.serial.toUpperCase(), 'the served certificate is the issued one');
    t.equal(answer.status, 200);
    t.notOk(answer.headers['strict-transport-security'], 'no HSTS until switched on');
    const untrusted = await fetchTls(httpsPort, site.domain, stack.pebble.directoryCa);
    t.notOk(untrusted.authorized, 'a client trusting another CA refuses it');
  });

  t.test('force-HTTPS and HSTS reach NGINX', async (t) => {
    const before = (await asAlice.get(url)).body;
    const res = await asAlice.patch(url, { forceHttps: true, hsts: true });
    t.equal(res.status, 200);
    t.match(res.body, { forceHttps: true, hsts: true });
    await eventually(async () => ((await asAlice.get(url)).body.served ? true : undefined));
    const plain = await get(httpPort, site.domain, '/page');
    t.equal(plain.status, 301);
    t.match(plain.headers.location, `https://${site.domain}:${httpsPort}/page`);
    const secure = await fetchTls(httpsPort, site.domain, await stack.pebble.root());
    t.match(secure.headers['strict-transport-security'], /max-age=63072000/);
    t.equal((await asAlice.get(url)).body.serial, before.serial, 'same certificate');
    t.equal((await asAlice.patch(url, { forceHttps: false, hsts: false })).status, 200);
    await eventually(async () => ((await get(httpPort, site.domain, '/')).status === 200 ? true : undefined));
  });

  t.test('the sweep renews 30 days before expiry, by the platform clock, and NGINX serves the new one', async (t) => {
    const before = (await asAlice.get(url)).body;
    await host.clock.advance(60_000 * 10);
    await host.drainJobs({ timeoutMs: 60_000 });
    t.equal((await asAlice.get(url)).body.serial, before.serial, 'not due: nothing ordered');

    const fired = await host.clock.set(new Date(Date.parse(before.notAfter) - 29 * 86_400_000));
    t.ok(
      fired.some((f) => f.schedule === 'tls-acme:sweep' && f.enqueued),
      'the sweep fired',
    );
    await host.drainJobs({ timeoutMs: 60_000 });
    const after = await served(before.serial);
    t.not(after.serial, before.serial, 'a new certificate');
    const answer = await fetchTls(httpsPort, site.domain, await stack.pebble.root());
    t.ok(answer.authorized);
    t.equal(answer.certificate.serialNumber.toUpperCase(), after.serial.toUpperCase());
    t.ok(Date.parse(after.notAfter) > Date.parse(before.notAfter), 'it lasts longer');
    t.ok((await host.audit({ action: 'tls.certificate.issued' })).length >= 2, 'each issuance audited');
  });
}
