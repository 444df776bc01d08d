/**
 * Uploading your own certificate: the key must belong to it, the chain must go issuer after
 * subject, every certificate must be valid now (by the platform clock), and the names must
 * cover the site's domains; each failure is a 400 naming the field and leaves the previous
 * certificate in place. An uploaded certificate is never renewed here, and one nearing expiry
 * emits certificate.expiring once.
 */
import t, { type Test } from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import tlsAcme from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees } from '../../accounts/test/helpers.js';
import { pebbleMissing } from './pebble.js';
import { Pki } from './pki.js';

const DAY = 86_400_000;
const missing = pebbleMissing();
if (missing) {
  t.plan(0, `openssl makes the test certificates: ${missing}`);
} else {
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, { definition: websites, version: '0.1.0' }, tlsAcme],
    // No web server: sites wait, which does not change what is stored and checked. Sweeps that
    // would fire every minute over the days the clock moves run yearly.
    config: { websites: { sweepCron: '0 0 1 1 *' }, 'tls-acme': { sweepCron: '0 * * * *' } },
  });
  const sql = sqlOf(host);
  const pki = new Pki();
  t.teardown(async () => {
    pki.close();
    await sql.destroy();
    await host.close();
  });
  const { admin, customerA } = await twoTrees(sql);
  const pkg = (await caller(host, admin).post('/v1/packages', packageBody({ limits: { websites: 50, domains: 50 } }))).body;
  const subscription = (
    await caller(host, admin).post('/v1/subscriptions', { customerId: customerA.id, packageId: pkg.id, billingCycle: 'monthly' })
  ).body.id as string;
  const asA = caller(host, customerA);
  let n = 0;
  async function site(aliases: string[] = []): Promise<{ id: string; domains: string[]; url: string }> {
    const domain = `up-${++n}-${process.pid}.example.test`;
    const res = await asA.post('/v1/websites', {
      domain,
      aliases: aliases.map((a) => `${a}.${domain}`),
      kind: 'static',
      subscriptionId: subscription,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return {
      id: res.body.id,
      domains: [domain, ...aliases.map((a) => `${a}.${domain}`)],
      url: `/v1/websites/${res.body.id}/certificate`,
    };
  }
  /** PUT an upload: only the fields the API takes (the helper's root stays here). */
  const put = (url: string, body: { certificate: string; key: string; chain?: string }) =>
    asA.call('PUT', url, {
      certificate: body.certificate,
      key: body.key,
      ...(body.chain !== undefined ? { chain: body.chain } : {}),
    });
  type Answer = { status: number; body: { error?: { code: string; details?: { field?: string } } } };
  const refused = (t: Test, res: Answer, field: string) => {
    t.equal(res.status, 400, `400 for ${field}`);
    t.equal(res.body.error?.code, 'TLS_ERR_INVALID');
    t.equal(res.body.error?.details?.field, field);
  };

  t.test('a good upload is stored and shown: issuer, names, expiry; the key never comes back', async (t) => {
    const s = await site(['www']);
    const pem = pki.chainFor(s.domains);
    const res = await put(s.url, pem);
    t.equal(res.status, 200);
    t.match(res.body, { state: 'issued', source: 'upload', issuer: 'Hostplane Test Intermediate', served: false });
    t.same(res.body.names.sort(), [...s.domains].sort());
    t.ok(res.body.daysLeft >= 29);
    t.notMatch(JSON.stringify((await asA.get(s.url)).body), /PRIVATE KEY/);
    t.equal((await host.audit({ action: 'tls.certificate.uploaded' })).length >= 1, true);
    t.equal((await asA.patch(s.url, { forceHttps: true, hsts: true })).status, 200, 'switches need a certificate: it has one');
  });

  t.test('each bad upload is a 400 naming the field, and the previous certificate stays', async (t) => {
    const s = await site();
    const good = pki.chainFor(s.domains);
    t.equal((await put(s.url, good)).status, 200);
    const before = (await asA.get(s.url)).body;
    const other = pki.chainFor(s.domains);

    refused(t, await put(s.url, { ...good, key: other.key }), '/body/key');
    refused(t, await put(s.url, { ...good, key: 'not a key' }), '/body/key');
    refused(t, await put(s.url, { ...good, certificate: good.certificate + good.chain }), '/body/certificate');
    refused(t, await put(s.url, { ...good, certificate: 'garbage' }), '/body/certificate');
    // The chain in the wrong order: root first, then the intermediate.
    refused(t, await put(s.url, { ...good, chain: good.root + good.chain }), '/body/chain');
    // An intermediate that did not issue the certificate.
    refused(t, await put(s.url, { ...good, chain: other.chain }), '/body/chain');
    const stranger = pki.chainFor([`elsewhere-${n}.example.test`]);
    refused(t, await put(s.url, stranger), '/body/certificate');
    const nul = await put(s.url, { ...good, key: `${good.key}\u0000` });
    t.equal(nul.status, 400, 'NUL bytes are refused by the schema');
    const huge = await put(s.url, { ...good, chain: 'A'.repeat(200_000) });
    t.ok(huge.status >= 400 && huge.status < 500, `huge body: ${huge.status}`);
    t.equal((await asA.get(s.url)).body.serial, before.serial, 'still the first certificate');
  });

  t.test('dates by the platform clock: an expired intermediate or certificate is refused', async (t) => {
    const s = await site();
    const root = pki.root();
    const shortIntermediate = pki.sign(root, { cn: 'Short Intermediate', days: 1 });
    const leaf = pki.sign(shortIntermediate, { cn: s.domains[0]!, names: s.domains, days: 5 });
    const shortLeaf = pki.chainFor(s.domains, 2);
    await host.clock.advance(3 * DAY);
    refused(
      t,
      await put(s.url, { certificate: leaf.certificate, key: leaf.key, chain: shortIntermediate.certificate }),
      '/body/chain',
    );
    refused(t, await put(s.url, shortLeaf), '/body/certificate');
  });

  t.test('an uploaded certificate is not renewed here; certificate.expiring once inside 14 days', async (t) => {
    const s = await site();
    // Made by wall time; the platform clock is 3 days ahead by now: 21 days left.
    t.equal((await put(s.url, pki.chainFor(s.domains, 24))).status, 200);
    const events = host.recordEvents('certificate.expiring');
    await host.clock.advance(4 * DAY);
    await host.drainJobs();
    t.same(
      events.of('certificate.expiring').filter((e) => e.payload.websiteId === s.id),
      [],
      'not yet: 16 days left',
    );
    await host.clock.advance(3 * DAY);
    await host.drainJobs();
    await host.clock.advance(DAY);
    await host.drainJobs();
    const mine = events.of('certificate.expiring').filter((e) => e.payload.websiteId === s.id);
    t.equal(mine.length, 1, 'once');
    t.match(mine[0]?.payload, { domains: s.domains });
    t.ok((mine[0]?.payload.daysLeft ?? 0) >= 12 && (mine[0]?.payload.daysLeft ?? 99) <= 14, 'days left in the window');
    t.match((await asA.get(s.url)).body, { state: 'issued', source: 'upload' }, 'no ACME order for an upload');
    // The owner is mailed once, with the event, in its reseller's branding (decision 0062).
    const mails = await sql('hostplane.outbox').where({ tag: 'tls-acme.certificate-expiring', to_address: customerA.email });
    const about = mails.filter((m: { subject: string }) => m.subject.includes(s.domains[0]!));
    t.equal(about.length, 1, 'one mail');
    t.match(about[0], {
      subject: new RegExp(`^The certificate of ${s.domains[0]!.replace(/\./g, '\\.')} expires on \\d{4}-\\d{2}-\\d{2}$`),
    });
    t.match(about[0].text_body, /expires in 1[234] days/);
    t.match(about[0].html_body, /<!doctype html>/);
    t.match(about[0], { from_name: /^reseller \d+$/ }, 'sent in the name of the customer’s reseller');
  });
}
