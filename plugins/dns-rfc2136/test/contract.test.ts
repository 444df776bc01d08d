/**
 * The shared DnsProvider contract over RFC 2136 against a real BIND 9 the plugin runs: updates
 * with nsupdate and reads by AXFR, both TSIG-signed; answers checked with dig. Then the server's
 * life: adopted after a host crash, stopped on request, degraded without the binary.
 */
import { execFile } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import { contractZone, dnsProviderContract } from '@hostplane/testing';
import { Rfc2136Config, Rfc2136Driver } from '../src/index.js';
import { freePort } from '@hostplane/testing/free-port';
import { binariesMissing } from '@hostplane/testing/system-binaries';

const exec = promisify(execFile);

function systemMissing(): string | null {
  return binariesMissing(
    ['/usr/sbin/named', '/usr/sbin/rndc', '/usr/bin/nsupdate', '/usr/bin/dig', '/usr/bin/named-checkzone'],
    'apt-get install bind9 bind9-utils dnsutils',
  );
}

function namedUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmd.includes('named') && cmd.includes(`${root}/`) && stat[stat.lastIndexOf(')') + 2] !== 'Z') pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

const missing = systemMissing();
t.test('RFC 2136 on BIND 9 passes the DnsProvider contract', { skip: missing ?? false }, async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-bind-'));
  process.once('exit', () => namedUnder(root).forEach((pid) => process.kill(pid, 'SIGKILL')));
  const config = Value.Default(Rfc2136Config, {
    root,
    dnsPort: await freePort(),
    controlPort: await freePort(),
  }) as Rfc2136Config;
  const driver = new Rfc2136Driver(config, root);
  t.teardown(async () => {
    await driver.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const started = await driver.start();
  t.equal(started.state, 'ready', started.reason ?? 'named ready');
  const dig = async (name: string, type: string) => {
    const { stdout } = await exec('/usr/bin/dig', [
      '@127.0.0.1',
      '-p',
      String(config.dnsPort),
      '+short',
      '+norecurse',
      '+time=2',
      name,
      type,
    ]);
    return stdout.split('\n').filter((l) => l.trim() && !l.startsWith(';'));
  };
  await t.test('contract', async (t) => {
    await dnsProviderContract(t, { provider: driver.provider, zonePrefix: 'rfc2136', resolve: dig });
  });

  await t.test('a signed zone takes record changes, stays signed and keeps its keys', async (t) => {
    const zone = 'signed.test';
    await driver.provider.applyZone(contractZone(zone, 7));
    const on = await driver.provider.setDnssec(zone, true);
    t.equal(on.enabled, true);
    const changed = contractZone(zone, 8);
    changed.rrsets = changed.rrsets.map((set) => (set.type === 'A' ? { ...set, records: ['192.0.2.99'] } : set));
    await driver.provider.applyZone(changed);
    t.same(await dig(zone, 'A'), ['192.0.2.99'], 'the change is served');
    t.same(await driver.provider.getDnssec(zone), on, 'still signed, the same DS');
    t.ok((await dig(zone, 'RRSIG')).length > 0, 'answers are signed');
    await driver.provider.setDnssec(zone, false);
    t.same(await dig(zone, 'A'), ['192.0.2.99'], 'off keeps the records');
    t.same(await dig(zone, 'DNSKEY'), []);
    t.notOk(
      (await fs.readdir(path.join(root, 'zones')).catch(() => [])).some((f) => f.startsWith(`K${zone}.`)),
      'its keys deleted',
    );
    await t.rejects(driver.provider.setDnssec('absent.test', true), { code: 'DNS_ERR_PROVIDER_ZONE_NOT_FOUND' });
    await driver.provider.removeZone(zone);
  });

  await t.test('a crashed host’s named is adopted with its zones; stop ends it', async (t) => {
    await driver.provider.applyZone(contractZone('kept.test', 42));
    const [pid] = namedUnder(root);
    const next = new Rfc2136Driver(config, root);
    t.equal((await next.start()).state, 'ready');
    t.same(namedUnder(root), [pid], 'the same named');
    t.equal((await next.provider.getZone('kept.test'))?.serial, 42);
    t.ok((await next.provider.listZones()).includes('kept.test'));
    await next.stop();
    t.same(namedUnder(root), []);
    const again = new Rfc2136Driver(config, root);
    t.equal((await again.start()).state, 'ready', 'a fresh start after a stop');
    t.same(await dig('kept.test', 'A'), ['192.0.2.10'], 'zones added at run time survive a restart');
    await again.stop();
  });
});

t.test('without named the driver is degraded and says why', async (t) => {
  const config = Value.Default(Rfc2136Config, { namedBinary: '/nonexistent/named' }) as Rfc2136Config;
  const driver = new Rfc2136Driver(config, os.tmpdir());
  const s = await driver.start();
  t.equal(s.state, 'degraded');
  t.match(s.reason, /\/nonexistent\/named not found/);
  await t.rejects(driver.provider.applyZone(contractZone('x.test', 1)), { code: 'DNS_ERR_PROVIDER_UNAVAILABLE' });
});

t.test('off by default: enabled, offers no provider, starts no named, says so', async (t) => {
  const { startTestHost } = await import('@hostplane/testing');
  const dnsPlugin = (await import('@hostplane/plugin-dns')).default;
  const plugin = (await import('../src/index.js')).default;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-bind-off-'));
  const accounts = (await import('../../accounts/src/index.js')).default;
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, plugin, dnsPlugin],
    config: { 'dns-rfc2136': { root } },
  });
  t.teardown(async () => {
    await host.close();
    await fs.rm(root, { recursive: true, force: true });
  });
  const health = (await host.inject({ method: 'GET', url: '/health' })).json<{
    plugins: Array<{ id: string; health: { state: string; reason: string | null } | null }>;
  }>();
  t.match(
    health.plugins.find((p) => p.id === 'dns-rfc2136'),
    { health: { state: 'degraded', reason: /mode=managed/ } },
  );
  const server = await host.inject({ method: 'GET', url: '/v1/dns/server', headers: host.headersFor('customer') });
  t.match(server.json(), { provider: null, state: 'absent' });
  t.same(namedUnder(root), []);
});

t.test('the dns plugin serves its zones through this provider', { skip: missing ?? false }, async (t) => {
  const { startTestHost } = await import('@hostplane/testing');
  const dnsPlugin = (await import('@hostplane/plugin-dns')).default;
  const plugin = (await import('../src/index.js')).default;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-bind-dns-'));
  process.once('exit', () => namedUnder(root).forEach((pid) => process.kill(pid, 'SIGKILL')));
  const accounts = (await import('../../accounts/src/index.js')).default;
  const dnsPort = await freePort();
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, plugin, dnsPlugin],
    config: {
      'dns-rfc2136': { mode: 'managed', root, dnsPort, controlPort: await freePort() },
      dns: { allowReservedTlds: true, provider: 'rfc2136', serverIpv4: '192.0.2.90' },
    },
  });
  t.teardown(async () => {
    await host.kernel.disable('dns-rfc2136');
    await host.close();
    await fs.rm(root, { recursive: true, force: true });
  });
  const { customer } = await host.users.tree();
  const headers = await host.users.headers(customer);
  const zone = `via-bind-${process.pid}.test`;
  const created = await host.inject({ method: 'POST', url: '/v1/dns/zones', headers, payload: { name: zone } });
  t.equal(created.statusCode, 201);
  const id = created.json<{ id: string }>().id;
  await host.drainJobs();
  const added = await host.inject({
    method: 'POST',
    url: `/v1/dns/zones/${id}/records`,
    headers,
    payload: { name: 'shop', type: 'A', data: '192.0.2.91' },
  });
  t.equal(added.statusCode, 201);
  await host.drainJobs();
  for (let i = 0; i < 100; i += 1) {
    const z = (await host.inject({ method: 'GET', url: `/v1/dns/zones/${id}`, headers })).json<{ converged: boolean }>();
    if (z.converged) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const serial = (await host.inject({ method: 'GET', url: `/v1/dns/zones/${id}`, headers })).json<{ serial: number }>().serial;
  const dig = async (name: string, type: string) =>
    (await exec('/usr/bin/dig', ['@127.0.0.1', '-p', String(dnsPort), '+short', '+norecurse', name, type])).stdout
      .trim()
      .split('\n');
  t.same(await dig(zone, 'A'), ['192.0.2.90'], 'template served by BIND');
  t.same(await dig(`shop.${zone}`, 'A'), ['192.0.2.91'], 'a dynamic update');
  t.equal((await dig(zone, 'SOA'))[0]?.split(' ')[2], String(serial), 'the serial the dns plugin chose');
});
