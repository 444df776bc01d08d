/**
 * Zone templates per package (decision 0070): checked with the records API's rules (bad records
 * are 400s naming the record and field, nothing stored), inherited from the reseller's own
 * package, out of reach of another reseller, previewed for a domain; a new website's zone starts
 * from its subscription's package template and a managed PowerDNS serves it (checked with dig);
 * a changed template leaves existing zones alone until a reset.
 */
import t from 'tap';
import type { CommandIO } from '@hostplane/sdk';
import accounts from '@hostplane/plugin-accounts';
import powerdns from '@hostplane/plugin-dns-powerdns';
import websites from '@hostplane/plugin-websites';
import { startTestHost } from '@hostplane/testing';
import dns from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees } from '../../accounts/test/helpers.js';
import { dig, managedConfig, systemMissing } from '../../dns-powerdns/test/helpers.js';

const missing = systemMissing();
if (missing) t.comment(`serving is not checked: ${missing}`);
const pdns = missing ? null : await managedConfig();

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, websites, ...(pdns ? [powerdns] : []), dns],
  config: {
    ...(pdns ? { 'dns-powerdns': { ...pdns.config } } : {}),
    // No IPv6: records that use {ipv6} are left out.
    dns: { allowReservedTlds: true, serverIpv4: '192.0.2.80', sweepCron: '0 0 1 1 *' },
  },
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
  if (pdns) {
    const { PowerDnsDriver } = await import('@hostplane/plugin-dns-powerdns');
    await new PowerDnsDriver(pdns.config, pdns.config.root).stop();
    await pdns.cleanup();
  }
});

const { admin, resellerA, resellerB, customerA } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const asResellerA = caller(host, resellerA);
const asResellerB = caller(host, resellerB);
const asCustomer = caller(host, customerA);
const tag = `${process.pid}`;
const big = { limits: { websites: 100, domains: 100, disk_mb: 100_000 } };

async function ok<T extends { status: number; body: unknown }>(res: Promise<T>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r;
}

// The platform's reseller plan; reseller A subscribes to it and sells its own package to customer A.
const resellerPlan = (await ok(asAdmin.post('/v1/packages', packageBody({ name: 'Reseller plan', ...big })), 201)).body.id;
await ok(asAdmin.post('/v1/subscriptions', { customerId: resellerA.id, packageId: resellerPlan, billingCycle: 'monthly' }), 201);
await ok(asAdmin.post('/v1/subscriptions', { customerId: resellerB.id, packageId: resellerPlan, billingCycle: 'monthly' }), 201);
const packageA = (await ok(asResellerA.post('/v1/packages', packageBody({ name: 'A web', ...big })), 201)).body.id;
const packageB = (await ok(asResellerB.post('/v1/packages', packageBody({ name: 'B web', ...big })), 201)).body.id;
const subscriptionA = (
  await ok(asResellerA.post('/v1/subscriptions', { customerId: customerA.id, packageId: packageA, billingCycle: 'monthly' }), 201)
).body.id;

const url = (id: string) => `/v1/dns/package-templates/${id}`;
const lines = (records: Array<{ name: string; type: string; data: string }>) =>
  records.map((r) => `${r.name} ${r.type} ${r.data}`).sort();

t.test('a package without a template of its own shows the platform’s, from the config', async (t) => {
  const res = await ok(asAdmin.get(url(resellerPlan)));
  t.match(res.body, { packageId: resellerPlan, source: 'platform', placeholders: { ipv4: '192.0.2.80', ipv6: null } });
  t.same(lines(res.body.records), [
    '@ A {ipv4}',
    '@ MX 10 mail.{domain}',
    '@ TXT v=spf1 a mx -all',
    '_dmarc TXT v=DMARC1; p=none',
    'mail A {ipv4}',
    'www CNAME @',
  ]);
});

t.test('bad template records are 400s naming the record and field; nothing is stored', async (t) => {
  const cases: Array<[string, unknown[], string]> = [
    ['unknown placeholder', [{ name: '@', type: 'A', data: '{address}' }], '/body/records/0/data'],
    ['not an address', [{ name: '@', type: 'A', data: '{ipv6}' }], '/body/records/0/data'],
    ['CNAME at the apex', [{ name: '@', type: 'CNAME', data: 'elsewhere.example.net' }], '/body/records/0/name'],
    [
      'CNAME beside another record',
      [
        { name: 'www', type: 'CNAME', data: '@' },
        { name: 'www', type: 'A', data: '{ipv4}' },
      ],
      '/body/records/1/type',
    ],
    [
      'duplicate',
      [
        { name: '@', type: 'A', data: '{ipv4}' },
        { name: '@', type: 'A', data: '{ipv4}' },
      ],
      '/body/records/1/data',
    ],
    ['TTL below the minimum', [{ name: '@', type: 'A', ttl: 5, data: '{ipv4}' }], '/body/records/0/ttl'],
    ['MX to an address', [{ name: '@', type: 'MX', data: '10 192.0.2.1' }], '/body/records/0/data'],
    ['bad label', [{ name: '-bad-', type: 'TXT', data: 'x' }], '/body/records/0/name'],
    ['wildcard not leftmost', [{ name: 'a.*', type: 'A', data: '{ipv4}' }], '/body/records/0/name'],
  ];
  for (const [what, records, field] of cases) {
    const res = await asAdmin.call('PUT', url(resellerPlan), { records });
    t.equal(res.status, 400, what);
    t.match(res.body.error, { code: 'DNS_ERR_INVALID', details: { field } }, what);
  }
  const schema = await asAdmin.call('PUT', url(resellerPlan), { records: [{ name: '@', type: 'SOA', data: 'x' }] });
  t.equal(schema.status, 400, 'a type the API does not take');
  t.equal((await asAdmin.call('PUT', url(resellerPlan), { records: [], extra: 1 })).status, 400);
  t.equal((await ok(asAdmin.get(url(resellerPlan)))).body.source, 'platform', 'nothing stored');
});

const PLAN_TEMPLATE = [
  { name: '@', type: 'A', data: '{ipv4}' },
  { name: '@', type: 'AAAA', data: '{ipv6}' },
  { name: 'www', type: 'A', ttl: 600, data: '{ipv4}' },
  { name: '@', type: 'MX', data: '10 mx.{domain}' },
  { name: 'mx', type: 'A', data: '{ipv4}' },
  { name: '@', type: 'TXT', data: 'v=spf1 mx -all' },
  { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}' },
  { name: '@', type: 'CAA', data: '0 issue "letsencrypt.org"' },
];

t.test('an admin sets a platform package’s template and previews a domain', async (t) => {
  const res = await ok(asAdmin.call('PUT', url(resellerPlan), { records: PLAN_TEMPLATE }));
  t.equal(res.body.source, 'package');
  t.equal(res.body.records.length, PLAN_TEMPLATE.length, 'stored as given, placeholders kept');
  t.ok(res.body.updatedAt);
  const preview = await ok(asAdmin.get(`${url(resellerPlan)}/preview?domain=Preview-${tag}.TEST`));
  const zone = `preview-${tag}.test`;
  t.equal(preview.body.zone, zone);
  t.same(
    lines(preview.body.records),
    [
      `_dmarc.${zone} TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@${zone}"`,
      `mx.${zone} A 192.0.2.80`,
      `${zone} A 192.0.2.80`,
      `${zone} CAA 0 issue "letsencrypt.org"`,
      `${zone} MX 10 mx.${zone}.`,
      `${zone} TXT "v=spf1 mx -all"`,
      `www.${zone} A 192.0.2.80`,
    ].sort(),
    'AAAA left out: no IPv6 configured',
  );
  t.equal(preview.body.records.find((r: { name: string }) => r.name === `www.${zone}`).ttl, 600);
  const bad = await asAdmin.get(`${url(resellerPlan)}/preview?domain=not_a_domain`);
  t.equal(bad.status, 400);
  t.match(bad.body.error, { code: 'DNS_ERR_INVALID', details: { field: '/querystring/domain' } });
});

t.test('a reseller’s package inherits the template of the reseller’s own package until it has one', async (t) => {
  const inherited = await ok(asResellerA.get(url(packageA)));
  t.equal(inherited.body.source, 'reseller');
  t.same(inherited.body.records, (await ok(asAdmin.get(url(resellerPlan)))).body.records);
  const own = await ok(asResellerA.call('PUT', url(packageA), { records: [{ name: '@', type: 'TXT', data: 'own {domain}' }] }));
  t.equal(own.body.source, 'package');
  const back = await ok(asResellerA.del(url(packageA)));
  t.equal(back.body.source, 'reseller', 'deleting the own template inherits again');
});

t.test('a reseller cannot see or change another reseller’s or the platform’s package template', async (t) => {
  for (const [method, path, payload] of [
    ['GET', url(packageA), undefined],
    ['PUT', url(packageA), { records: [] }],
    ['DELETE', url(packageA), undefined],
    ['GET', `${url(packageA)}/preview?domain=x.test`, undefined],
    ['PUT', url(resellerPlan), { records: [] }],
    ['PUT', url(packageA), { records: [{ name: '@', type: 'CNAME', data: 'x.example.net' }] }],
  ] as const) {
    const res = await asResellerB.call(method, path, payload);
    t.equal(res.status, 404, `${method} ${path}`);
    t.equal(res.body.error.code, 'DNS_ERR_PACKAGE_NOT_FOUND');
  }
  t.equal((await ok(asResellerA.get(url(packageA)))).body.source, 'reseller', 'unchanged');
  t.equal((await asCustomer.get(url(packageA))).status, 403, 'customers do not edit templates');
  t.equal((await asAdmin.get(url(packageB))).status, 200, 'an admin reaches every package');
  t.equal((await asAdmin.get(url('00000000-0000-4000-8000-000000000000'))).status, 404);
});

const SITE_TEMPLATE = [
  { name: '@', type: 'A', data: '{ipv4}' },
  { name: 'www', type: 'CNAME', data: '@' },
  { name: '@', type: 'MX', data: '5 mail.example.net' },
  { name: '@', type: 'TXT', data: 'v=spf1 a mx -all' },
  { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=quarantine; rua=mailto:postmaster@{domain}' },
];
const site = `site-${tag}.test`;
let siteZone = '';

/** Jobs drained and the zone served as stored. */
async function applied(zoneId: string): Promise<void> {
  for (const end = Date.now() + 15_000; ;) {
    const { ran } = await host.drainJobs();
    for (const job of ran) if (job.outcome !== 'succeeded') throw new Error(`${job.name} failed: ${JSON.stringify(job)}`);
    const zone = (await asCustomer.get(`/v1/dns/zones/${zoneId}`)).body;
    if (!pdns || zone.converged || Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

t.test('a new website’s zone starts from its package’s template and the server serves it', async (t) => {
  await ok(asResellerA.call('PUT', url(packageA), { records: SITE_TEMPLATE }));
  await ok(asCustomer.post('/v1/websites', { domain: `www.${site}`, kind: 'static', subscriptionId: subscriptionA }), 201);
  await host.drainJobs();
  const zone = (await asCustomer.get('/v1/dns/zones?limit=100')).body.items.find((z: { name: string }) => z.name === site);
  t.ok(zone, 'the zone exists');
  siteZone = zone.id;
  const records = (await ok(asCustomer.get(`/v1/dns/zones/${siteZone}/records`))).body;
  t.same(
    lines(records),
    [
      `_dmarc.${site} TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@${site}"`,
      `${site} A 192.0.2.80`,
      `${site} MX 5 mail.example.net.`,
      `${site} TXT "v=spf1 a mx -all"`,
      `www.${site} CNAME ${site}.`,
    ].sort(),
  );
  await applied(siteZone);
  if (!pdns) return;
  const port = pdns.config.dnsPort;
  t.same(await dig(port, site, 'A'), ['192.0.2.80']);
  t.same(await dig(port, `www.${site}`, 'CNAME'), [`${site}.`]);
  t.same(await dig(port, site, 'MX'), ['5 mail.example.net.']);
  t.same(await dig(port, `_dmarc.${site}`, 'TXT'), [`"v=DMARC1; p=quarantine; rua=mailto:postmaster@${site}"`]);
  t.same(await dig(port, site, 'TXT'), ['"v=spf1 a mx -all"']);
});

t.test('a changed template leaves existing zones alone; a reset applies it', async (t) => {
  await ok(asResellerA.call('PUT', url(packageA), { records: [{ name: '@', type: 'A', data: '192.0.2.99' }] }));
  const before = (await ok(asCustomer.get(`/v1/dns/zones/${siteZone}/records`))).body;
  t.equal(before.length, 5, 'the zone keeps its records');
  const reset = await ok(asCustomer.post(`/v1/dns/zones/${siteZone}/reset`));
  t.same(lines(reset.body), [`${site} A 192.0.2.99`]);
  await applied(siteZone);
  if (pdns) t.same(await dig(pdns.config.dnsPort, site, 'A'), ['192.0.2.99']);
});

t.test('a zone created through the API without records starts from the owner’s package template', async (t) => {
  const made = await ok(asCustomer.post('/v1/dns/zones', { name: `api-${tag}.test` }), 201);
  t.same(lines(made.body.records), [`api-${tag}.test A 192.0.2.99`]);
  const bare = await ok(asCustomer.post('/v1/dns/zones', { name: `bare-${tag}.test`, template: false }), 201);
  t.same(bare.body.records, []);
});

t.test('CLI: hostplane dns template <package> [domain]', async (t) => {
  const kernel = host.kernel as unknown as {
    runCommand(id: string, name: string, args: string[], io: CommandIO): Promise<number>;
  };
  const run = async (args: string[]) => {
    let out = '';
    const code = await kernel.runCommand('dns', 'template', args, { out: (s) => (out += s), err: () => undefined });
    return { code, out };
  };
  const shown = await run([resellerPlan]);
  t.equal(shown.code, 0);
  t.match(shown.out, /^; package template\n@ A \{ipv4\}\n/);
  t.match(shown.out, /^www 600 A \{ipv4\}$/m, 'a TTL where the record has one');
  const preview = await run([resellerPlan, `cli-${tag}.test`]);
  t.match(preview.out, new RegExp(`^cli-${tag}\\.test\\.\\t3600\\tIN\\tA\\t192\\.0\\.2\\.80$`, 'm'));
  await t.rejects(run(['00000000-0000-4000-8000-000000000000']), { code: 'COMMON_ERR_NOT_FOUND' });
  await t.rejects(run([]), { code: 'COMMON_ERR_BAD_REQUEST' });
});

t.test('the template of a deleted package goes with the sweep', async (t) => {
  const gone = (await ok(asAdmin.post('/v1/packages', packageBody({ name: 'Short-lived' })), 201)).body.id;
  await ok(asAdmin.call('PUT', url(gone), { records: [{ name: '@', type: 'A', data: '{ipv4}' }] }));
  await ok(asAdmin.del(`/v1/packages/${gone}`), 204);
  t.ok(await sql('plugin_dns.package_templates').where({ package_id: gone }).first(), 'kept while no sweep ran');
  await host.kernel.jobs.enqueue('dns:sweep', {});
  await host.drainJobs();
  t.notOk(await sql('plugin_dns.package_templates').where({ package_id: gone }).first(), 'gone after the sweep');
  t.ok(await sql('plugin_dns.package_templates').where({ package_id: packageA }).first(), 'others stay');
});
