/**
 * Zones and records through the API on a real host, served by a managed PowerDNS (the
 * dns-powerdns plugin) and checked with dig: template, record changes with moving serials,
 * validation answers, platform-wide uniqueness and the overlap rule (also under parallel
 * requests), export, DNSSEC, delete.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { CommandIO } from '@hostplane/sdk';
import { startTestHost, type TestUser } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import powerdns from '@hostplane/plugin-dns-powerdns';
import dns from '../src/index.js';
import { dig, managedConfig, systemMissing } from '../../dns-powerdns/test/helpers.js';

const missing = systemMissing();
if (missing) t.comment(`serving is not checked: ${missing}`);

const pdns = missing ? null : await managedConfig();
const host = await startTestHost({
  // dns reads packages and subscriptions (zone templates per package).
  plugins: missing
    ? [{ definition: accounts, version: '0.1.0' }, dns]
    : [{ definition: accounts, version: '0.1.0' }, powerdns, dns],
  config: {
    ...(pdns ? { 'dns-powerdns': { ...pdns.config } } : {}),
    dns: { allowReservedTlds: true, serverIpv4: '192.0.2.80', serverIpv6: '2001:db8::80', sweepCron: '0 0 1 1 *' },
  },
});
t.teardown(async () => {
  await host.close();
  if (pdns) {
    const { PowerDnsDriver } = await import('@hostplane/plugin-dns-powerdns');
    await new PowerDnsDriver(pdns.config, pdns.config.root).stop();
    await pdns.cleanup();
  }
});

const A = await host.users.tree();
const B = await host.users.tree();
const tag = randomBytes(3).toString('hex');
const zoneName = (label: string) => `${label}-${tag}.test`;

// Response bodies are checked by the assertions that read them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;
async function call(user: TestUser, method: string, url: string, payload?: unknown): Promise<{ status: number; body: Body }> {
  const res = await host.inject({
    method,
    url,
    headers: await host.users.headers(user),
    ...(payload !== undefined ? { payload } : {}),
  });
  return { status: res.statusCode, body: String(res.headers['content-type']).includes('json') ? res.json() : res.body };
}
const answers = async (name: string, type: string) => (pdns ? dig(pdns.config.dnsPort, name, type) : null);
/** Jobs drained and every zone of A's customer served as stored (a worker may still hold the last apply). */
async function applied(): Promise<void> {
  for (const end = Date.now() + 15_000; ;) {
    const { ran } = await host.drainJobs();
    for (const job of ran) if (job.outcome !== 'succeeded') throw new Error(`${job.name} failed: ${JSON.stringify(job)}`);
    const zones = (await call(A.customer, 'GET', '/v1/dns/zones?limit=100')).body.items as Body[];
    if (!pdns || zones.every((z) => z.converged || z.status === 'error') || Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const shop = zoneName('shop');
let zoneId = '';

t.test('a customer creates a zone from the template; the server serves it', async (t) => {
  const res = await call(A.customer, 'POST', '/v1/dns/zones', { name: shop.toUpperCase() });
  t.equal(res.status, 201, JSON.stringify(res.body));
  zoneId = res.body.id;
  t.match(res.body, { name: shop, ownerId: A.customer.id, status: 'pending', converged: false });
  const data = res.body.records.map((r: Body) => `${r.name} ${r.type} ${r.data}`).sort();
  t.same(
    data,
    [
      `_dmarc.${shop} TXT "v=DMARC1; p=none"`,
      `mail.${shop} A 192.0.2.80`,
      `mail.${shop} AAAA 2001:db8::80`,
      `${shop} A 192.0.2.80`,
      `${shop} AAAA 2001:db8::80`,
      `${shop} MX 10 mail.${shop}.`,
      `${shop} TXT "v=spf1 a mx -all"`,
      `www.${shop} CNAME ${shop}.`,
    ].sort(),
  );
  // Written after the response is sent.
  let audited = 0;
  for (let i = 0; i < 100 && audited === 0; i += 1) {
    audited = (await host.audit({ action: 'dns.zone.created', actorId: A.customer.id })).length;
    if (audited === 0) await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(audited, 1, 'the creation is audited');
  await applied();
  const zone = await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`);
  t.match(zone.body, { status: pdns ? 'active' : 'pending', converged: !!pdns });
  if (!pdns) return;
  t.same(await answers(shop, 'A'), ['192.0.2.80']);
  t.same(await answers(`www.${shop}`, 'CNAME'), [`${shop}.`]);
  t.same(await answers(shop, 'MX'), [`10 mail.${shop}.`]);
  t.same((await answers(shop, 'NS'))?.sort(), ['ns1.hostplane.test.', 'ns2.hostplane.test.']);
  t.same(
    (await answers(shop, 'SOA'))?.map((s) => s.split(' ')[2]),
    [String(zone.body.serial)],
  );
});

t.test('record changes move the serial and reach the server', async (t) => {
  const before = (await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body.serial;
  const add = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, {
    name: 'api',
    type: 'A',
    ttl: 120,
    data: '192.0.2.7',
  });
  t.equal(add.status, 201, JSON.stringify(add.body));
  t.match(add.body, { name: `api.${shop}`, type: 'A', ttl: 120, data: '192.0.2.7' });
  const second = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, {
    name: 'api',
    type: 'A',
    ttl: 300,
    data: '192.0.2.8',
  });
  t.equal(second.status, 201);
  const records = (await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}/records`)).body.filter(
    (r: Body) => r.name === `api.${shop}`,
  );
  t.same(
    records.map((r: Body) => r.ttl),
    [300, 300],
    'a set shares one TTL: the last one written',
  );
  const long = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, {
    name: 'long',
    type: 'TXT',
    data: 'k='.padEnd(400, 'x'),
  });
  t.equal(long.status, 201);
  t.equal(long.body.data.split('" "').length, 2, 'stored as two strings');
  const changed = await call(A.customer, 'PATCH', `/v1/dns/zones/${zoneId}/records/${add.body.id}`, { data: '192.0.2.9' });
  t.equal(changed.status, 200);
  t.equal(changed.body.data, '192.0.2.9');
  const after = (await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body.serial;
  t.equal(after, before + 4, 'one serial step per change');
  await applied();
  if (!pdns) return;
  t.same((await answers(`api.${shop}`, 'A'))?.sort(), ['192.0.2.8', '192.0.2.9']);
  const txt = await answers(`long.${shop}`, 'TXT');
  t.equal(txt?.[0]?.split('" "').length, 2, 'served as two strings');
  t.same(
    (await answers(shop, 'SOA'))?.map((s) => s.split(' ')[2]),
    [String(after)],
  );
  const gone = await call(A.customer, 'DELETE', `/v1/dns/zones/${zoneId}/records/${second.body.id}`);
  t.equal(gone.status, 204);
  await applied();
  t.same(await answers(`api.${shop}`, 'A'), ['192.0.2.9']);
});

t.test('bad input: 400 naming the field, nothing written', async (t) => {
  const serial = (await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body.serial;
  const cases: Array<[unknown, string, string]> = [
    [{ name: 'www', type: 'A', data: '192.0.2.1' }, 'DNS_ERR_INVALID', '/body/type'],
    [{ name: 'x', type: 'A', ttl: 5, data: '192.0.2.1' }, 'DNS_ERR_INVALID', '/body/ttl'],
    // The host refuses NUL bytes in any field before a route sees them.
    [{ name: 'x\u0000y', type: 'A', data: '192.0.2.1' }, 'HOST_ERR_VALIDATION', '/body/name'],
    [{ name: 'x', type: 'A', data: '192.0.2.1\u0000' }, 'HOST_ERR_VALIDATION', '/body/data'],
    [{ name: 'x', type: 'MX', data: '10 192.0.2.1' }, 'DNS_ERR_INVALID', '/body/data'],
    [{ name: 'x', type: 'NS', data: 'not a host' }, 'DNS_ERR_INVALID', '/body/data'],
    [{ name: 'x', type: 'SOA', data: 'x' }, 'HOST_ERR_VALIDATION', '/body/type'],
    [{ name: 'x', type: 'A' }, 'HOST_ERR_VALIDATION', '/body/data'],
    [{ name: 'x', type: 'A', data: '192.0.2.1', extra: 1 }, 'HOST_ERR_VALIDATION', '/body/extra'],
  ];
  for (const [payload, code, field] of cases) {
    const res = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, payload);
    t.equal(res.status, 400, JSON.stringify(payload));
    t.equal(res.body.error.code, code);
    t.match(JSON.stringify(res.body.error.details), field, `names ${field}`);
  }
  for (const name of ['localhost', 'a.b\u0000.com', '192.0.2.1', 'com', 'x'.repeat(64) + '.test']) {
    const res = await call(A.customer, 'POST', '/v1/dns/zones', { name });
    t.equal(res.status, 400, name);
    t.match(res.body.error.code, /^(DNS_ERR_INVALID|HOST_ERR_VALIDATION)$/);
    t.match(JSON.stringify(res.body.error.details), '"field":"/body/name"');
  }
  t.equal((await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body.serial, serial, 'serial unchanged');
});

t.test('a zone is unique platform-wide and nobody adds one over or under another account’s zone', async (t) => {
  const taken = await call(B.customer, 'POST', '/v1/dns/zones', { name: shop });
  t.equal(taken.status, 409);
  t.equal(taken.body.error.code, 'DNS_ERR_ZONE_TAKEN');
  const under = await call(B.customer, 'POST', '/v1/dns/zones', { name: `sub.${shop}` });
  t.equal(under.status, 409);
  t.match(under.body.error, { code: 'DNS_ERR_ZONE_COVERED', details: { overlaps: 'another account' } });
  const deep = zoneName('deep');
  t.equal((await call(A.customer, 'POST', '/v1/dns/zones', { name: `a.b.${deep}`, template: false })).status, 201);
  const over = await call(B.customer, 'POST', '/v1/dns/zones', { name: deep });
  t.equal(over.status, 409, 'a zone above another account’s zone is refused too');
  t.equal(
    (await call(A.customer, 'POST', '/v1/dns/zones', { name: `own.${shop}`, template: false })).status,
    201,
    'the owner may split off a sub-zone',
  );
  const forCustomer = await call(A.reseller, 'POST', '/v1/dns/zones', { name: zoneName('given'), ownerId: A.customer.id });
  t.equal(forCustomer.status, 201, 'a reseller makes a zone for its customer');
  t.equal(forCustomer.body.ownerId, A.customer.id);
  const foreignOwner = await call(A.reseller, 'POST', '/v1/dns/zones', { name: zoneName('stolen'), ownerId: B.customer.id });
  t.match(foreignOwner, { status: 400, body: { error: { code: 'DNS_ERR_OWNER_INVALID' } } });
  const techOwner = await call(A.customer, 'POST', '/v1/dns/zones', { name: zoneName('tech'), ownerId: A.technicalUser.id });
  t.match(techOwner, { status: 400, body: { error: { code: 'DNS_ERR_OWNER_INVALID' } } });
});

t.test('parallel requests: one zone per name, one CNAME per name', async (t) => {
  const race = zoneName('race');
  const users = [A.customer, B.customer, A.reseller, B.reseller, A.customer, B.customer];
  const results = await Promise.all(users.map((u) => call(u, 'POST', '/v1/dns/zones', { name: race, template: false })));
  t.same(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409]);
  const nested = zoneName('nest');
  const pair = await Promise.all([
    call(A.customer, 'POST', '/v1/dns/zones', { name: nested, template: false }),
    call(B.customer, 'POST', '/v1/dns/zones', { name: `x.${nested}`, template: false }),
  ]);
  t.same(pair.map((r) => r.status).sort(), [201, 409], 'a zone and a zone under it for another account: one wins');
  const both = await Promise.all([
    call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, { name: 'same', type: 'CNAME', data: 'a.example.net' }),
    call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, { name: 'same', type: 'A', data: '192.0.2.1' }),
  ]);
  t.same(both.map((r) => r.status).sort(), [201, 400]);
});

t.test('export gives a zone file', async (t) => {
  const res = await host.inject({
    method: 'GET',
    url: `/v1/dns/zones/${zoneId}/export`,
    headers: await host.users.headers(A.customer),
  });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/plain/);
  t.match(res.body, `$ORIGIN ${shop}.\n@\t3600\tIN\tSOA\tns1.hostplane.test. hostmaster.${shop}.`);
  t.match(res.body, '\nwww\t3600\tIN\tCNAME\t' + `${shop}.\n`);
  t.match(res.body, '\n@\t3600\tIN\tNS\tns1.hostplane.test.\n');
});

t.test('import a zone file: all or nothing, then served and exported as imported', async (t) => {
  const imported = zoneName('imported');
  const zone = (await call(A.customer, 'POST', '/v1/dns/zones', { name: imported, template: false })).body;
  const file = [
    `$ORIGIN ${imported}.`,
    '$TTL 900',
    '@ IN A 192.0.2.44',
    'www IN CNAME @',
    '@ IN MX 5 mx',
    'mx IN A 192.0.2.45',
  ].join('\n');
  const bad = await call(A.customer, 'POST', `/v1/dns/zones/${zone.id}/import`, { zoneFile: `${file}\nwww IN A 192.0.2.1` });
  t.equal(bad.status, 400);
  t.match(bad.body.error, { code: 'DNS_ERR_INVALID', details: { field: '/body/zoneFile' }, message: /^line 7: .*CNAME/ });
  t.same((await call(A.customer, 'GET', `/v1/dns/zones/${zone.id}/records`)).body, [], 'nothing written');
  const ok = await call(A.customer, 'POST', `/v1/dns/zones/${zone.id}/import`, { zoneFile: file });
  t.equal(ok.status, 200, JSON.stringify(ok.body));
  t.equal(ok.body.length, 4);
  await applied();
  if (pdns) t.same(await answers(imported, 'MX'), [`5 mx.${imported}.`]);
  const exported = await host.inject({
    method: 'GET',
    url: `/v1/dns/zones/${zone.id}/export`,
    headers: await host.users.headers(A.customer),
  });
  const again = await call(A.customer, 'POST', `/v1/dns/zones/${zone.id}/import`, { zoneFile: exported.body });
  t.equal(again.status, 200, 'an export imports back');
  t.same(
    again.body.map((r: Body) => `${r.name} ${r.ttl} ${r.type} ${r.data}`),
    ok.body.map((r: Body) => `${r.name} ${r.ttl} ${r.type} ${r.data}`),
    'the same records',
  );
});

t.test('DNSSEC on shows DS records; off removes them', { skip: pdns ? false : 'needs PowerDNS' }, async (t) => {
  const on = await call(A.customer, 'PUT', `/v1/dns/zones/${zoneId}/dnssec`, { enabled: true });
  t.equal(on.status, 200);
  await applied();
  const zone = (await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body;
  t.equal(zone.dnssec.enabled, true);
  t.ok(zone.dnssec.ds.length > 0);
  t.match(zone.dnssec.ds[0].text, /^\d+ 13 2 [0-9A-F]{64}$/);
  t.ok(((await answers(shop, 'DNSKEY')) ?? []).length > 0, 'DNSKEY served');
  await call(A.customer, 'PUT', `/v1/dns/zones/${zoneId}/dnssec`, { enabled: false });
  await applied();
  t.match((await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body, {
    status: 'active',
    converged: true,
    dnssec: { enabled: false, ds: [] },
  });
  t.same(await answers(shop, 'DNSKEY'), []);
});

t.test(
  'changes made while no provider runs wait, and are served once one is back',
  { skip: pdns ? false : 'needs PowerDNS' },
  async (t) => {
    await host.kernel.disable('dns-powerdns');
    const add = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, {
      name: 'later',
      type: 'A',
      data: '192.0.2.77',
    });
    t.equal(add.status, 201, 'the change is taken');
    await host.drainJobs();
    t.match((await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body, {
      converged: false,
      statusReason: 'waiting for a DNS provider plugin',
    });
    await host.kernel.enable('dns-powerdns');
    await applied();
    t.match((await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).body, {
      converged: true,
      status: 'active',
      statusReason: null,
    });
    t.same(await answers(`later.${shop}`, 'A'), ['192.0.2.77']);
  },
);

t.test('the server route names the provider; deleting a zone stops serving it', async (t) => {
  const server = await call(A.customer, 'GET', '/v1/dns/server');
  t.match(server.body, pdns ? { provider: 'powerdns', state: 'ready' } : { provider: null, state: 'absent' });
  const res = await call(A.customer, 'DELETE', `/v1/dns/zones/${zoneId}`);
  t.equal(res.status, 202);
  t.equal(res.body.status, 'deleting');
  const edit = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, { name: 'late', type: 'A', data: '192.0.2.1' });
  t.equal(edit.status, 409, 'a zone being deleted takes no changes');
  await applied();
  if (!pdns) return;
  t.equal((await call(A.customer, 'GET', `/v1/dns/zones/${zoneId}`)).status, 404);
  t.same(await answers(shop, 'A'), []);
  const again = await call(B.customer, 'POST', '/v1/dns/zones', { name: shop });
  t.match(again, { status: 409, body: { error: { code: 'DNS_ERR_ZONE_COVERED' } } }, 'A’s sub-zone own.<shop> still blocks B');
  t.equal((await call(A.customer, 'POST', '/v1/dns/zones', { name: shop })).status, 201, 'the name is free again for A');
});

t.test('CLI: hostplane dns zones | export <zone> | reconcile [zone]', async (t) => {
  const kernel = host.kernel as unknown as {
    runCommand(id: string, name: string, args: string[], io: CommandIO): Promise<number>;
  };
  const run = async (name: string, args: string[] = []) => {
    let out = '';
    let err = '';
    const code = await kernel.runCommand('dns', name, args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };
  const listed = await run('zones');
  t.equal(listed.code ?? 0, 0);
  t.match(listed.out, new RegExp(`^${shop.replace(/\./g, '\\.')}\\t\\d+\\t`, 'm'));
  const exported = await run('export', [shop]);
  t.match(exported.out, `$ORIGIN ${shop}.`);
  await t.rejects(run('export', ['nope.test']), { code: 'COMMON_ERR_NOT_FOUND' });
  const queued = await run('reconcile', [shop]);
  t.equal(queued.code, 0);
  t.match(queued.out, '1 zone(s) queued');
  await applied();
  t.equal((await run('reconcile', [shop, `missing-${tag}.test`])).code, 1, 'a missing zone is an error');
});
