/**
 * A wildcard certificate from a real ACME CA (pebble) through DNS-01: pebble resolves through
 * our managed PowerDNS (`-dnsserver`), the challenge TXT records go into the customer's zone
 * through the dns plugin, the certificate covers `<domain>` and `*.<domain>` (read from what
 * NGINX serves, verified against pebble's root), no `_acme-challenge` record is left in the zone
 * or on the server, and the renewal takes the same path. A wildcard for a name whose zone is not
 * the customer's on our DNS is a 409 before anything is ordered.
 */
import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { caller, makeUser } from '../../accounts/test/helpers.js';
import { dig } from '../../dns-powerdns/test/helpers.js';
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
  const site = await stack.website('wild');
  const url = `/v1/websites/${site.id}/certificate`;

  async function served(serialNot?: string) {
    return eventually(async () => {
      const cert = (await asAlice.get(url)).body;
      if (cert.state === 'failed') throw new Error(`order failed: ${cert.lastError}`);
      return cert.state === 'issued' && cert.served && cert.serial !== serialNot ? cert : undefined;
    }, 120_000);
  }

  /** `_acme-challenge` records of the site's zone, as the API lists them. */
  async function challengeRecords(): Promise<unknown[]> {
    const zones = (await asAlice.get(`/v1/dns/zones?search=${site.domain}`)).body.items as Array<{ id: string; name: string }>;
    const zone = zones.find((z) => z.name === site.domain);
    if (!zone) throw new Error(`no zone ${site.domain}`);
    const records = (await asAlice.get(`/v1/dns/zones/${zone.id}/records`)).body as Array<{ name: string }>;
    return records.filter((r) => r.name.startsWith('_acme-challenge'));
  }

  t.test('a wildcard certificate through DNS-01 covers the domain and *.domain; no challenge record stays', async (t) => {
    const res = await asAlice.post(url, { wildcard: true });
    t.equal(res.status, 202, JSON.stringify(res.body));
    t.equal(res.body.state, 'pending');
    await host.drainJobs({ timeoutMs: 120_000 });
    const cert = await served();
    t.same([...cert.names].sort(), [site.domain, `*.${site.domain}`].sort(), 'the API shows both names');
    t.match(cert.issuer, /Pebble Intermediate/);

    const answer = await fetchTls(httpsPort, site.domain, await stack.pebble.root());
    t.equal(answer.authorizationError, null, 'chain verifies against pebble’s root');
    const x509 = new X509Certificate(answer.certificate.raw);
    const sans = (x509.subjectAltName ?? '').split(', ').sort();
    t.same(sans, [`DNS:${site.domain}`, `DNS:*.${site.domain}`].sort(), 'the served certificate’s SAN list');
    t.ok(x509.checkHost(`anything.${site.domain}`), 'a subdomain matches it');

    t.same(await challengeRecords(), [], 'no _acme-challenge record in the zone');
    t.same(await dig(stack.pdnsPort, `_acme-challenge.${site.domain}`, 'TXT'), [], 'and none served');
    const audit = await host.audit({ action: 'tls.certificate.requested' });
    t.ok(audit.some((a) => (a.details as { wildcard?: boolean }).wildcard === true));
  });

  // A second website of Alice's on a subdomain: no certificate of its own, it serves the wildcard.
  let blog = { id: '', domain: '' };
  /** The serial NGINX presents for `servername` (trusting pebble's root), or null when no verified certificate. */
  async function servedSerial(servername: string): Promise<string | null> {
    try {
      const answer = await fetchTls(httpsPort, servername, await stack.pebble.root());
      return answer.authorized ? answer.certificate.serialNumber.toUpperCase() : null;
    } catch {
      return null;
    }
  }

  t.test('a website on a subdomain serves the owner’s wildcard certificate', async (t) => {
    const wildcard = (await asAlice.get(url)).body;
    const res = await asAlice.post('/v1/websites', {
      domain: `blog.${site.domain}`,
      kind: 'static',
      subscriptionId: stack.subscription,
    });
    t.equal(res.status, 201, JSON.stringify(res.body));
    blog = { id: res.body.id as string, domain: `blog.${site.domain}` };
    await eventually(async () => ((await asAlice.get(`/v1/websites/${blog.id}`)).body.status === 'active' ? true : undefined));
    const serial = await eventually(async () => (await servedSerial(blog.domain)) ?? undefined);
    t.equal(serial, wildcard.serial.toUpperCase(), 'NGINX presents the wildcard for blog.<domain>, verified by pebble’s root');
    const own = (await asAlice.get(`/v1/websites/${blog.id}/certificate`)).body;
    t.match(
      own,
      { state: 'none', names: [], wildcardFrom: site.domain },
      'no certificate of its own; the API names the one it serves',
    );
  });

  t.test('a subdomain site serving the wildcard has force-HTTPS and HSTS of its own', async (t) => {
    const blogUrl = `/v1/websites/${blog.id}/certificate`;
    const res = await asAlice.patch(blogUrl, { forceHttps: true, hsts: true });
    t.equal(res.status, 200, JSON.stringify(res.body));
    t.match(res.body, { forceHttps: true, hsts: true, wildcardFrom: site.domain });
    await eventually(async () => ((await asAlice.get(blogUrl)).body.served ? true : undefined));
    const plain = await eventually(async () => {
      const r = await get(httpPort, blog.domain, '/page');
      return r.status === 301 ? r : undefined;
    });
    t.match(plain.headers.location, `https://${blog.domain}:${httpsPort}/page`);
    const secure = await fetchTls(httpsPort, blog.domain, await stack.pebble.root());
    t.match(secure.headers['strict-transport-security'], /max-age=63072000/);
    t.match((await asAlice.get(url)).body, { forceHttps: false, hsts: false }, 'the wildcard’s own site keeps its switches');
    t.equal((await get(httpPort, site.domain, '/')).status, 200, 'and serves plain HTTP still');
    t.equal((await asAlice.patch(blogUrl, { forceHttps: false, hsts: false })).status, 200);
    await eventually(async () => ((await get(httpPort, blog.domain, '/')).status === 200 ? true : undefined));
  });

  t.test('the renewal takes the same DNS-01 path', async (t) => {
    const before = (await asAlice.get(url)).body;
    await host.clock.set(new Date(Date.parse(before.notAfter) - 29 * 86_400_000));
    await host.drainJobs({ timeoutMs: 120_000 });
    const after = await served(before.serial);
    t.not(after.serial, before.serial, 'a new certificate');
    t.same([...after.names].sort(), [site.domain, `*.${site.domain}`].sort(), 'still the wildcard');
    t.same(await challengeRecords(), [], 'no _acme-challenge record left by the renewal');
    t.same(await dig(stack.pdnsPort, `_acme-challenge.${site.domain}`, 'TXT'), []);
    const blogSerial = await eventually(async () => {
      const serial = await servedSerial(blog.domain);
      return serial === after.serial.toUpperCase() ? serial : undefined;
    });
    t.equal(blogSerial, after.serial.toUpperCase(), 'the subdomain site serves the renewed wildcard too');
  });

  t.test('“renew now” without saying keeps the wildcard; saying false orders the plain name again', async (t) => {
    const before = (await asAlice.get(url)).body;
    t.equal(before.wildcard, true);
    const res = await asAlice.post('/v1/tls-acme/renewals', { domain: site.domain });
    t.equal(res.status, 202, JSON.stringify(res.body));
    t.match(res.body, { state: 'pending', wildcard: true });
    await host.drainJobs({ timeoutMs: 120_000 });
    const after = await served(before.serial);
    t.same([...after.names].sort(), [site.domain, `*.${site.domain}`].sort());

    const plain = await asAlice.post(url, { wildcard: false });
    t.match(plain.body, { state: 'pending', wildcard: false });
    await host.drainJobs({ timeoutMs: 120_000 });
    const http01 = await served(after.serial);
    t.same(http01.names, [site.domain], 'HTTP-01 again, the site’s own name only');
    t.same(await challengeRecords(), []);
    const wildcardSerial = after.serial.toUpperCase();
    await eventually(async () => ((await servedSerial(blog.domain)) !== wildcardSerial ? true : undefined));
    t.pass('the subdomain site no longer serves the wildcard');
    t.equal((await asAlice.get(`/v1/websites/${blog.id}/certificate`)).body.wildcardFrom, null, 'nor says it does');
  });

  t.test('two wildcard orders in one zone at once: both issued, neither loses its values to the other', async (t) => {
    const apex = await stack.website('multi');
    const res = await asAlice.post('/v1/websites', {
      domain: `shop.${apex.domain}`,
      kind: 'static',
      subscriptionId: stack.subscription,
    });
    t.equal(res.status, 201, JSON.stringify(res.body));
    const shop = { id: res.body.id as string, domain: `shop.${apex.domain}` };
    const [a, b] = await Promise.all([
      asAlice.post(`/v1/websites/${apex.id}/certificate`, { wildcard: true }),
      asAlice.post(`/v1/websites/${shop.id}/certificate`, { wildcard: true }),
    ]);
    t.same([a.status, b.status], [202, 202]);
    await host.drainJobs({ timeoutMs: 120_000 });
    for (const [s, names] of [
      [apex, [apex.domain, `*.${apex.domain}`]],
      [shop, [shop.domain, `*.${shop.domain}`]],
    ] as const) {
      const cert = await eventually(async () => {
        const body = (await asAlice.get(`/v1/websites/${s.id}/certificate`)).body;
        if (body.state === 'failed') throw new Error(`order failed: ${body.lastError}`);
        return body.state === 'issued' ? body : undefined;
      }, 120_000);
      t.same([...cert.names].sort(), [...names].sort(), `${s.domain} issued`);
    }
    const zones = (await asAlice.get(`/v1/dns/zones?search=${apex.domain}`)).body.items as Array<{ id: string; name: string }>;
    const zone = zones.find((z) => z.name === apex.domain);
    const left = ((await asAlice.get(`/v1/dns/zones/${zone?.id}/records`)).body as Array<{ name: string }>).filter((r) =>
      r.name.startsWith('_acme-challenge'),
    );
    t.same(left, [], 'no challenge record of either order left');
  });

  t.test('a failed wildcard order leaves no challenge record either', async (t) => {
    // The site answers to a second zone of Alice's whose `_acme-challenge` is a CNAME: that
    // name's TXT cannot be put, the order fails, the other names' values were put and served.
    const failing = await stack.website('fails');
    const alt = `alt-${stack.tag}.test`;
    const zone = await asAlice.post('/v1/dns/zones', { name: alt });
    t.equal(zone.status, 201, JSON.stringify(zone.body));
    const cname = await asAlice.post(`/v1/dns/zones/${zone.body.id}/records`, {
      name: '_acme-challenge',
      type: 'CNAME',
      data: 'challenges.example.net',
    });
    t.equal(cname.status, 201, JSON.stringify(cname.body));
    t.equal((await asAlice.patch(`/v1/websites/${failing.id}`, { aliases: [alt] })).status, 200);
    const certUrl = `/v1/websites/${failing.id}/certificate`;
    const zones = (await asAlice.get(`/v1/dns/zones?search=${failing.domain}`)).body.items as Array<{ id: string; name: string }>;
    const own = zones.find((z) => z.name === failing.domain);
    const serial = async () => (await asAlice.get(`/v1/dns/zones/${own?.id}`)).body.serial as number;
    const serialBefore = await serial();
    t.equal((await asAlice.post(certUrl, { wildcard: true })).status, 202);
    await host.drainJobs({ timeoutMs: 120_000 });
    const cert = await eventually(async () => {
      const body = (await asAlice.get(certUrl)).body;
      return body.state === 'failed' ? body : undefined;
    }, 120_000);
    t.match(cert.lastError, /CNAME/, 'the reason is shown');
    t.equal(cert.names.length, 0, 'nothing issued');
    t.ok((await serial()) > serialBefore, 'values were put into the site’s zone (its serial moved)');
    const left = ((await asAlice.get(`/v1/dns/zones/${own?.id}/records`)).body as Array<{ name: string; type: string }>).filter(
      (r) => r.type === 'TXT' && r.name.startsWith('_acme-challenge'),
    );
    t.same(left, [], 'the values put for the other names were removed');
    t.same(await dig(stack.pdnsPort, `_acme-challenge.${failing.domain}`, 'TXT'), [], 'and are not served');
  });

  t.test('a wildcard is refused (409) when the zone is not the customer’s on our DNS', async (t) => {
    // Bob's zone; Alice's site below it gets no zone of its own (another account's covers it).
    const bob = await makeUser(stack.sql, 'customer', stack.reseller);
    const bobZone = `bob-${stack.tag}.test`;
    t.equal((await caller(host, bob).post('/v1/dns/zones', { name: bobZone })).status, 201);
    const under = await asAlice.post('/v1/websites', {
      domain: `shop.${bobZone}`,
      kind: 'static',
      subscriptionId: stack.subscription,
    });
    t.equal(under.status, 201, JSON.stringify(under.body));
    const foreign = await asAlice.post(`/v1/websites/${under.body.id}/certificate`, { wildcard: true });
    t.equal(foreign.status, 409);
    t.match(foreign.body.error, {
      code: 'TLS_ERR_WILDCARD_REFUSED',
      details: { field: '/body/wildcard', domain: `shop.${bobZone}` },
    });
    t.notMatch(foreign.body.error.message, bob.id, 'the other account is not named');
    t.equal((await asAlice.get(`/v1/websites/${under.body.id}/certificate`)).body.state, 'none', 'nothing ordered');

    // A site whose zone is not on our DNS at all (the customer deleted it).
    const other = await stack.website('nozone');
    const zones = (await asAlice.get(`/v1/dns/zones?search=${other.domain}`)).body.items as Array<{ id: string; name: string }>;
    const zone = zones.find((z) => z.name === other.domain);
    t.equal((await asAlice.del(`/v1/dns/zones/${zone?.id}`)).status, 202);
    await host.drainJobs({ timeoutMs: 60_000 });
    const absent = await asAlice.post(`/v1/websites/${other.id}/certificate`, { wildcard: true });
    t.equal(absent.status, 409);
    t.equal(absent.body.error.code, 'TLS_ERR_WILDCARD_REFUSED');
    t.equal(
      (await asAlice.post(`/v1/websites/${other.id}/certificate`, { wildcard: 'yes' })).status,
      400,
      'a non-boolean is a 400',
    );
  });
}
