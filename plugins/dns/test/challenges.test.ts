/**
 * The `dns-challenges` extension point on a real host, on each DNS server the platform drives (a
 * managed PowerDNS through dns-powerdns, a managed BIND 9 through dns-rfc2136), answers checked
 * with dig: a challenge value is served before put+waitServed return, values of one name
 * coexist and go one by one, only the owner's zone takes them, whenServed waits for a new zone
 * to be served, the customer's own TXT record
 * survives a remove, a zone import keeps an order's record, and a record an order left behind
 * (its process died) goes with the sweep once its expiry passed on the platform clock.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { binariesMissing } from '@hostplane/testing/system-binaries';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { DnsChallenges } from '@hostplane/sdk';
import { startTestHost, type TestHost, type TestUser } from '@hostplane/testing';
import { freePort } from '@hostplane/testing/free-port';
import accounts from '@hostplane/plugin-accounts';
import powerdns from '@hostplane/plugin-dns-powerdns';
import dns from '../src/index.js';
import { dig, managedConfig, systemMissing as pdnsMissing } from '../../dns-powerdns/test/helpers.js';
import rfc2136 from '../../dns-rfc2136/src/index.js';

const DNS_CONFIG = { allowReservedTlds: true, serverIpv4: '192.0.2.80', sweepCron: '0 0 1 1 *' };

/** A host whose dns plugin serves through one real server, and where that server answers. */
interface Served {
  host: TestHost;
  dnsPort: number;
  stop(): Promise<void>;
}

async function onPowerDns(): Promise<Served> {
  const pdns = await managedConfig();
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, powerdns, dns],
    config: { 'dns-powerdns': { ...pdns.config }, dns: { ...DNS_CONFIG, provider: 'powerdns' } },
  });
  return {
    host,
    dnsPort: pdns.config.dnsPort,
    async stop() {
      await host.close();
      const { PowerDnsDriver } = await import('@hostplane/plugin-dns-powerdns');
      await new PowerDnsDriver(pdns.config, pdns.config.root).stop();
      await pdns.cleanup();
    },
  };
}

function bindMissing(): string | null {
  return binariesMissing(
    ['/usr/sbin/named', '/usr/sbin/rndc', '/usr/bin/nsupdate', '/usr/bin/dig', '/usr/bin/named-checkzone'],
    'apt-get install bind9 bind9-utils dnsutils',
  );
}

async function onBind(): Promise<Served> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-bind-acme-'));
  // A test killed before its teardown must not leave named running.
  const kill = () => {
    try {
      process.kill(Number(readFileSync(path.join(root, 'run', 'named.pid'), 'utf8').trim()), 'SIGKILL');
    } catch {
      /* not running */
    }
  };
  process.once('exit', kill);
  const dnsPort = await freePort();
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, rfc2136, dns],
    config: {
      'dns-rfc2136': { mode: 'managed', root, dnsPort, controlPort: await freePort() },
      dns: { ...DNS_CONFIG, provider: 'rfc2136' },
    },
  });
  return {
    host,
    dnsPort,
    async stop() {
      await host.kernel.disable('dns-rfc2136');
      await host.close();
      process.removeListener('exit', kill);
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

const SERVERS: Array<[string, () => string | null, () => Promise<Served>]> = [
  ['PowerDNS', pdnsMissing, onPowerDns],
  ['BIND 9 over RFC 2136', bindMissing, onBind],
];

for (const [label, missing, start] of SERVERS) {
  const reason = missing();
  t.test(`challenge records on ${label}`, { skip: reason ? `${label}: ${reason}` : false }, async (t) => {
    const served = await start();
    t.teardown(() => served.stop());
    await suite(t, served);
  });
}

async function suite(t: Test, served: Served): Promise<void> {
  const { host } = served;
  const A = await host.users.tree();
  const B = await host.users.tree();
  const tag = randomBytes(3).toString('hex');
  const challenges = host.kernel.extensions<DnsChallenges>('dns-challenges')[0] as DnsChallenges;
  const hour = () => new Date(host.clock.now().getTime() + 3_600_000);
  const txt = async (name: string) => (await dig(served.dnsPort, name, 'TXT')).map((s) => s.replace(/^"|"$/g, '')).sort();

  /** The TXT values once they are what is expected (an apply through its job may still run), or as last seen. */
  async function txtSettled(name: string, expected: string[]): Promise<string[]> {
    let last: string[] = [];
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      last = await txt(name);
      if (JSON.stringify(last) === JSON.stringify([...expected].sort())) break;
    }
    return last;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Body = any;
  async function call(user: TestUser, method: string, url: string, payload?: unknown): Promise<{ status: number; body: Body }> {
    const res = await host.inject({ method, url, headers: await host.users.headers(user), ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: String(res.headers['content-type']).includes('json') ? res.json() : res.body };
  }
  async function zone(user: TestUser, name: string): Promise<string> {
    const res = await call(user, 'POST', '/v1/dns/zones', { name });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    await host.drainJobs();
    return res.body.id as string;
  }
  const records = async (user: TestUser, id: string) => (await call(user, 'GET', `/v1/dns/zones/${id}/records`)).body as Body[];

  const apex = `wild-${tag}.test`;
  const zoneId = await zone(A.customer, apex);

  t.test('the extension point is there, and finds only the owner’s zone', async (t) => {
    t.ok(challenges, 'dns provides dns-challenges');
    t.equal(await challenges.zoneOf(apex, A.customer.id), apex);
    t.equal(await challenges.zoneOf(`deep.sub.${apex}`, A.customer.id), apex, 'a name below the apex');
    t.equal(await challenges.zoneOf(apex, B.customer.id), null, 'another account’s zone reads as absent');
    t.equal(await challenges.zoneOf(`nowhere-${tag}.test`, A.customer.id), null);
    t.equal(await challenges.zoneOf('bad\u0000name', A.customer.id), null);
    await t.rejects(
      challenges.put({ domain: apex, ownerId: B.customer.id, value: 'x'.repeat(43), expiresAt: hour() }),
      { code: 'DNS_ERR_CHALLENGE_REFUSED' },
      'no TXT in another account’s zone',
    );
    t.same(await txt(`_acme-challenge.${apex}`), []);
  });

  t.test('two values of one name coexist, are served before waitServed returns, and go one by one', async (t) => {
    const name = `_acme-challenge.${apex}`;
    const [one, two] = await Promise.all([
      challenges.put({ domain: apex, ownerId: A.customer.id, value: 'value-one-' + tag, expiresAt: hour() }),
      challenges.put({ domain: `*.${apex}`.slice(2), ownerId: A.customer.id, value: 'value-two-' + tag, expiresAt: hour() }),
    ]);
    t.equal(one.name, name);
    await Promise.all([challenges.waitServed(one, 10_000), challenges.waitServed(two, 10_000)]);
    t.same(await txt(name), [`value-one-${tag}`, `value-two-${tag}`].sort(), 'both served by the authoritative server');
    const listed = (await records(A.customer, zoneId)).filter((r) => r.name === name);
    t.equal(listed.length, 2);
    t.ok(
      listed.every((r) => r.expiresAt !== null),
      'shown as expiring',
    );

    await challenges.remove(one);
    t.same(await txt(name), [`value-two-${tag}`], 'the other value stays');
    await challenges.remove(one);
    t.pass('removing again is a no-op');
    await challenges.remove(two);
    t.same(await txt(name), []);
    t.same(
      (await records(A.customer, zoneId)).filter((r) => r.name === name),
      [],
    );
  });

  t.test('waitServed gives up after its bound when the value never appears', async (t) => {
    const started = Date.now();
    await t.rejects(
      challenges.waitServed(
        { id: '00000000-0000-0000-0000-000000000000', zone: apex, name: `_acme-challenge.${apex}`, value: 'never' },
        1500,
      ),
      /did not answer .* within 2 s/,
    );
    t.ok(Date.now() - started < 5000, 'bounded');
  });

  t.test('whenServed returns once a new zone is served, and at once for a name no zone of the owner serves', async (t) => {
    const fresh = `fresh-${tag}.test`;
    const res = await call(A.customer, 'POST', '/v1/dns/zones', { name: fresh });
    t.equal(res.status, 201);
    // Not drained: the zone's apply job runs in the background while whenServed waits for it.
    await challenges.whenServed!(`www.${fresh}`, A.customer.id, 30_000);
    t.ok((await dig(served.dnsPort, fresh, 'SOA')).length > 0, 'the server answers the zone when it returns');
    const started = Date.now();
    await challenges.whenServed!(fresh, B.customer.id, 30_000);
    await challenges.whenServed!(`nowhere-${tag}.test`, A.customer.id, 30_000);
    t.ok(Date.now() - started < 2000, 'nothing to wait for: another account’s zone, or none');
    await host.drainJobs();
  });

  t.test('a customer’s own TXT record with the same value survives an order’s remove', async (t) => {
    const res = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/records`, {
      name: '_acme-challenge.www',
      type: 'TXT',
      data: 'manual-' + tag,
    });
    t.equal(res.status, 201);
    const handle = await challenges.put({
      domain: `www.${apex}`,
      ownerId: A.customer.id,
      value: 'manual-' + tag,
      expiresAt: hour(),
    });
    await challenges.remove(handle);
    await host.drainJobs();
    t.same(await txtSettled(`_acme-challenge.www.${apex}`, [`manual-${tag}`]), [`manual-${tag}`]);
    t.equal((await call(A.customer, 'DELETE', `/v1/dns/zones/${zoneId}/records/${res.body.id}`)).status, 204);
  });

  t.test('a zone import that replaces the records keeps an order’s challenge record', async (t) => {
    const handle = await challenges.put({ domain: apex, ownerId: A.customer.id, value: 'import-' + tag, expiresAt: hour() });
    const res = await call(A.customer, 'POST', `/v1/dns/zones/${zoneId}/import`, { zoneFile: `@ 300 IN A 192.0.2.7\n` });
    t.equal(res.status, 200, JSON.stringify(res.body));
    await host.drainJobs();
    t.same(await txtSettled(`_acme-challenge.${apex}`, [`import-${tag}`]), [`import-${tag}`]);
    t.same(await txtSettled(apex, []), [], 'the import applied (the template’s TXT gone)');
    await challenges.remove(handle);
  });

  t.test('a record an order left behind goes with the sweep once its expiry passed', async (t) => {
    await challenges.put({ domain: apex, ownerId: A.customer.id, value: 'stale-' + tag, expiresAt: hour() });
    t.same(await txt(`_acme-challenge.${apex}`), [`stale-${tag}`]);
    await host.kernel.jobs.enqueue('dns:sweep', {});
    await host.drainJobs();
    t.same(await txt(`_acme-challenge.${apex}`), [`stale-${tag}`], 'not before its expiry');
    await host.clock.advance(3_600_000 + 1000);
    await host.kernel.jobs.enqueue('dns:sweep', {});
    await host.drainJobs();
    t.same(await txtSettled(`_acme-challenge.${apex}`, []), [], 'gone from the server');
    t.same(
      (await records(A.customer, zoneId)).filter((r) => r.name.startsWith('_acme-challenge')),
      [],
      'and from the zone',
    );
  });
}
