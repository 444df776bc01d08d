/**
 * The shared contract of the `dns-provider` extension point: every {@link DnsProvider} passes it
 * against a real server. Call it from a tap test of your driver:
 *
 * ```ts
 * import t from 'tap';
 * import { dnsProviderContract } from '@hostplane/testing';
 * await dnsProviderContract(t, { provider, zonePrefix: 'contract', resolve: (name, type) => dig(name, type) });
 * ```
 *
 * It creates zones under `<zonePrefix>-<random>.test`, removes them at the end, and checks what
 * the provider reports and (with `resolve`) what the server answers on the wire.
 */
import { randomBytes } from 'node:crypto';
import { DnsZoneRejected, type DnsProvider, type DnsRecordSet, type DnsRecordType, type DnsZoneSpec } from '@hostplane/sdk';

import type { ContractTest } from './contract-test.js';

export type { ContractTest };

/** Options of {@link dnsProviderContract}. */
export interface DnsProviderContractOptions {
  provider: DnsProvider;
  /** Zones are made under `<zonePrefix>-<random>.test`. Default `contract`. */
  zonePrefix?: string;
  /**
   * Ask the running server over DNS (e.g. `dig @127.0.0.1 -p 5300 +short`): the answer's record
   * data in presentation format. Without it only what the provider reports is checked.
   */
  resolve?: (name: string, type: DnsRecordType | 'SOA' | 'DS' | 'DNSKEY') => Promise<string[]>;
}

/** One zone spec with every record type, under `zone`. */
export function contractZone(zone: string, serial: number): DnsZoneSpec {
  return {
    name: zone,
    soa: {
      primary: `ns1.${zone}.`,
      contact: `hostmaster.${zone}.`,
      serial,
      refresh: 10800,
      retry: 3600,
      expire: 604800,
      minimum: 300,
      ttl: 3600,
    },
    rrsets: sortSets([
      { name: zone, type: 'NS', ttl: 3600, records: [`ns1.${zone}.`, `ns2.${zone}.`] },
      { name: zone, type: 'A', ttl: 300, records: ['192.0.2.10'] },
      { name: zone, type: 'AAAA', ttl: 300, records: ['2001:db8::10'] },
      { name: zone, type: 'MX', ttl: 3600, records: [`10 mail.${zone}.`, `20 mx2.example.net.`] },
      {
        name: zone,
        type: 'TXT',
        ttl: 3600,
        records: ['"v=spf1 a mx -all"', `"${'a'.repeat(255)}" "${'b'.repeat(45)}"`],
      },
      { name: zone, type: 'CAA', ttl: 3600, records: ['0 issue "letsencrypt.org"'] },
      { name: `ns1.${zone}`, type: 'A', ttl: 3600, records: ['192.0.2.53'] },
      { name: `ns2.${zone}`, type: 'A', ttl: 3600, records: ['192.0.2.54'] },
      { name: `mail.${zone}`, type: 'A', ttl: 3600, records: ['192.0.2.25'] },
      { name: `www.${zone}`, type: 'CNAME', ttl: 300, records: [`${zone}.`] },
      { name: `_sip._tcp.${zone}`, type: 'SRV', ttl: 600, records: [`10 60 5060 sip.${zone}.`] },
      { name: `sip.${zone}`, type: 'A', ttl: 600, records: ['192.0.2.60', '192.0.2.61'] },
      { name: `_dmarc.${zone}`, type: 'TXT', ttl: 3600, records: ['"v=DMARC1; p=none"'] },
    ]),
  };
}

/** Sort as {@link DnsProvider.getZone} returns: by name, then type; records sorted too. */
export function sortSets(sets: DnsRecordSet[]): DnsRecordSet[] {
  return sets
    .map((s) => ({ ...s, records: [...s.records].sort() }))
    .sort((a, b) => (a.name === b.name ? cmp(a.type, b.type) : cmp(a.name, b.name)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function rejects(t: ContractTest, p: Promise<unknown>, check: (err: unknown) => boolean, message: string) {
  try {
    await p;
    t.fail(`${message}: resolved`);
  } catch (err) {
    t.ok(check(err), `${message} (${(err as Error)?.message ?? String(err)})`);
  }
}

/** Run the contract as subtests of `t`. */
export async function dnsProviderContract(t: ContractTest, options: DnsProviderContractOptions): Promise<void> {
  const { provider, resolve } = options;
  const zone = `${options.zonePrefix ?? 'contract'}-${randomBytes(4).toString('hex')}.test`;
  const other = `other-${zone}`;
  t.teardown(async () => {
    await provider.removeZone(zone).catch(() => undefined);
    await provider.removeZone(other).catch(() => undefined);
  });

  await t.test('the provider is ready', async (t) => {
    const status = await provider.status();
    t.equal(status.state, 'ready', status.reason ?? 'ready');
  });

  await t.test('an absent zone reads as null and removing it is a no-op', async (t) => {
    t.equal(await provider.getZone(zone), null);
    await provider.removeZone(zone);
    t.ok(!(await provider.listZones()).includes(zone));
  });

  const first = contractZone(zone, 2026120501);
  await t.test('applyZone creates the zone with every record type', async (t) => {
    await provider.applyZone(first);
    const got = await provider.getZone(zone);
    t.ok(got, 'zone exists');
    t.equal(got?.serial, first.soa.serial, 'serial as given');
    t.same(got?.rrsets, first.rrsets, 'record sets as given');
    t.ok((await provider.listZones()).includes(zone), 'listed');
  });

  if (resolve) {
    await t.test('the server answers the records on the wire', async (t) => {
      t.same((await resolve(zone, 'A')).sort(), ['192.0.2.10']);
      t.same((await resolve(zone, 'AAAA')).sort(), ['2001:db8::10']);
      t.same((await resolve(zone, 'MX')).sort(), [`10 mail.${zone}.`, '20 mx2.example.net.']);
      t.same((await resolve(`www.${zone}`, 'CNAME')).sort(), [`${zone}.`]);
      t.same((await resolve(`_sip._tcp.${zone}`, 'SRV')).sort(), [`10 60 5060 sip.${zone}.`]);
      t.same((await resolve(zone, 'CAA')).sort(), ['0 issue "letsencrypt.org"']);
      const txt = await resolve(zone, 'TXT');
      t.ok(txt.includes(`"${'a'.repeat(255)}" "${'b'.repeat(45)}"`), 'a long TXT is served as two strings');
      const soa = await resolve(zone, 'SOA');
      t.equal(soa.length, 1);
      t.equal(soa[0]?.split(' ')[2], String(first.soa.serial), 'SOA serial on the wire');
    });
  }

  await t.test('applying the same spec again changes nothing', async (t) => {
    await provider.applyZone(first);
    const got = await provider.getZone(zone);
    t.same(got?.rrsets, first.rrsets);
    t.equal(got?.serial, first.soa.serial);
  });

  const second: DnsZoneSpec = {
    ...first,
    soa: { ...first.soa, serial: first.soa.serial + 1 },
    rrsets: sortSets([
      ...first.rrsets.filter(
        (s) =>
          s.name !== `sip.${zone}` && s.name !== `_sip._tcp.${zone}` && s.type !== 'AAAA' && !(s.name === zone && s.type === 'A'),
      ),
      { name: zone, type: 'A', ttl: 60, records: ['192.0.2.11', '192.0.2.12'] },
      { name: `new.${zone}`, type: 'TXT', ttl: 120, records: ['"hello world"'] },
    ]),
  };
  await t.test('applyZone replaces changed sets, removes missing ones and moves the serial', async (t) => {
    await provider.applyZone(second);
    const got = await provider.getZone(zone);
    t.equal(got?.serial, second.soa.serial);
    t.same(got?.rrsets, second.rrsets);
    if (resolve) {
      t.same((await resolve(zone, 'A')).sort(), ['192.0.2.11', '192.0.2.12']);
      t.same(await resolve(zone, 'AAAA'), [], 'removed set no longer answered');
      t.same(await resolve(`new.${zone}`, 'TXT'), ['"hello world"']);
    }
  });

  await t.test('content the server refuses changes nothing', async (t) => {
    const bad: DnsZoneSpec = {
      ...second,
      soa: { ...second.soa, serial: second.soa.serial + 1 },
      rrsets: sortSets([
        ...second.rrsets.filter((s) => !(s.name === zone && s.type === 'A')),
        { name: zone, type: 'A', ttl: 60, records: ['192.0.2.99'] },
        { name: `bad.${zone}`, type: 'A', ttl: 60, records: ['999.1.2.3'] },
      ]),
    };
    await rejects(t, provider.applyZone(bad), (err) => DnsZoneRejected.is(err), 'refused as DNS_ERR_ZONE_REJECTED');
    const got = await provider.getZone(zone);
    t.equal(got?.serial, second.soa.serial, 'serial unchanged');
    t.same(got?.rrsets, second.rrsets, 'records unchanged');
  });

  await t.test('zones are independent', async (t) => {
    await provider.applyZone(contractZone(other, 1));
    await provider.removeZone(other);
    t.equal(await provider.getZone(other), null);
    t.same((await provider.getZone(zone))?.rrsets, second.rrsets, 'the first zone is untouched');
  });

  await t.test('DNSSEC on gives DS records, off removes them', async (t) => {
    if (!(await provider.status()).dnssec) {
      t.comment('this provider does not sign zones: DNSSEC not checked');
      return;
    }
    t.same(await provider.getDnssec(zone), { enabled: false, ds: [] });
    const on = await provider.setDnssec(zone, true);
    t.equal(on.enabled, true);
    t.ok(on.ds.length > 0, 'at least one DS');
    for (const ds of on.ds) {
      t.ok(ds.keyTag > 0 && ds.keyTag < 65536, 'key tag');
      t.ok(/^[0-9A-F]+$/.test(ds.digest), 'hex digest');
    }
    t.same(await provider.getDnssec(zone), on, 'read back');
    t.same(await provider.setDnssec(zone, true), on, 'enabling twice keeps the keys');
    if (resolve) t.ok((await resolve(zone, 'DNSKEY')).length > 0, 'DNSKEY served');
    const signed = await provider.getZone(zone);
    t.same(signed?.rrsets, second.rrsets, 'DNSSEC records are not reported as record sets');
    const off = await provider.setDnssec(zone, false);
    t.same(off, { enabled: false, ds: [] });
    if (resolve) t.same(await resolve(zone, 'DNSKEY'), [], 'DNSKEY gone');
  });

  await t.test('removeZone stops serving the zone', async (t) => {
    await provider.removeZone(zone);
    t.equal(await provider.getZone(zone), null);
    t.ok(!(await provider.listZones()).includes(zone));
    await provider.removeZone(zone);
    if (resolve) t.same(await resolve(zone, 'A'), [], 'no answer any more');
  });
}
