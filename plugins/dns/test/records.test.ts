/** The record and name rules alone: canonical forms, and each bad input a 400 naming its field. */
import t, { type Test } from 'tap';
import { isHostplaneError } from '@hostplane/sdk';
import {
  assertFits,
  canonicalRecord,
  ownerName,
  txtContent,
  zoneName,
  type CanonicalRecord,
  type RecordInput,
} from '../src/records.js';
import { parseZoneFile } from '../src/zone-import.js';
import { nextSerial, zoneFile, zoneSpec } from '../src/zone-spec.js';
import { Value } from '@sinclair/typebox/value';
import { DnsConfig } from '../src/config.js';

const policy = { minTtl: 60, maxTtl: 604800 };
const Z = 'example.com';
const rec = (input: Partial<RecordInput>): CanonicalRecord =>
  canonicalRecord({ name: '@', type: 'A', data: '192.0.2.1', ...input }, Z, policy, 3600);

function refused(t: Test, fn: () => unknown, field: string, reason?: RegExp): void {
  try {
    fn();
    t.fail(`accepted; expected a 400 on ${field}`);
  } catch (err) {
    t.ok(isHostplaneError(err), String(err));
    if (!isHostplaneError(err)) return;
    t.equal(err.code, 'DNS_ERR_INVALID');
    t.equal(err.statusCode, 400);
    t.match(err.details, { field });
    if (reason) t.match(err.message, reason);
  }
}

t.test('canonical forms', async (t) => {
  const cases: Array<[Partial<RecordInput>, Partial<CanonicalRecord>]> = [
    [
      { name: '@', type: 'A', data: ' 192.0.2.1 ' },
      { name: Z, content: '192.0.2.1', ttl: 3600 },
    ],
    [
      { name: 'WWW', type: 'AAAA', data: '2001:DB8:0:0::1' },
      { name: `www.${Z}`, content: '2001:db8::1' },
    ],
    [{ name: 'www', type: 'CNAME', data: '@' }, { content: `${Z}.` }],
    [{ name: 'x', type: 'CNAME', data: 's1._domainkey.mail.example.net' }, { content: 's1._domainkey.mail.example.net.' }],
    [
      { name: `mail.${Z}.`, type: 'MX', data: '10 MX.Example.NET.' },
      { name: `mail.${Z}`, content: '10 mx.example.net.' },
    ],
    [
      { name: '_sip._tcp', type: 'SRV', data: '10 60 5060 sip.example.com' },
      { name: `_sip._tcp.${Z}`, content: '10 60 5060 sip.example.com.' },
    ],
    [{ name: '_x._tcp', type: 'SRV', data: '0 0 0 .' }, { content: '0 0 0 .' }],
    [{ type: 'CAA', data: '0 issue letsencrypt.org' }, { content: '0 issue "letsencrypt.org"' }],
    [{ type: 'CAA', data: '128 IODEF "mailto:sec@example.com"' }, { content: '128 iodef "mailto:sec@example.com"' }],
    [{ name: 'dev', type: 'NS', data: 'ns1.example.net' }, { content: 'ns1.example.net.' }],
    [{ name: '*', type: 'A', data: '192.0.2.2' }, { name: `*.${Z}` }],
    [{ name: '*.dev', type: 'TXT', data: 'say "hi" \\ there' }, { content: '"say \\"hi\\" \\\\ there"' }],
    [{ type: 'TXT', data: 'café' }, { content: '"caf\\195\\169"' }],
    [{ type: 'TXT', data: '"already" "quoted"' }, { content: '"already" "quoted"' }],
    [{ type: 'A', data: '192.0.2.1', ttl: 60 }, { ttl: 60 }],
  ];
  for (const [input, want] of cases) t.match(rec(input), want, JSON.stringify(input));
});

t.test('long TXT data is split into strings of at most 255 bytes, at character boundaries', async (t) => {
  const ascii = txtContent('a'.repeat(600), '/body/data');
  t.same(
    ascii.split(' ').map((s) => s.length - 2),
    [255, 255, 90],
  );
  const euro = txtContent('€'.repeat(100), '/body/data'); // 3 bytes each: 85 per string
  const strings = euro.match(/"[^"]*"/g) ?? [];
  t.equal(strings.length, 2);
  t.equal(strings[0]?.match(/\\226/g)?.length, 85, 'no character cut in two');
  t.equal(txtContent(ascii, '/body/data'), ascii, 'presentation data is stable when edited again');
});

t.test('bad input: a 400 naming the field', async (t) => {
  const bad: Array<[Partial<RecordInput>, string, RegExp?]> = [
    [{ type: 'SOA' }, '/body/type'],
    [{ type: 'A', data: '999.1.2.3' }, '/body/data', /IPv4/],
    [{ type: 'A', data: '192.0.2.1\u0000' }, '/body/data'],
    [{ type: 'A', data: '01.2.3.4' }, '/body/data'],
    [{ type: 'AAAA', data: '192.0.2.1' }, '/body/data'],
    [{ type: 'AAAA', data: 'fe80::1%eth0' }, '/body/data'],
    [{ ttl: 59 }, '/body/ttl', /60 to 604800/],
    [{ ttl: 604801 }, '/body/ttl'],
    [{ ttl: 1.5 }, '/body/ttl'],
    [{ name: 'a..b' }, '/body/name'],
    [{ name: `${'x'.repeat(64)}` }, '/body/name', /1–63/],
    [{ name: `${'abcdefghi.'.repeat(25)}x` }, '/body/name', /253/],
    [{ name: 'a.*' }, '/body/name', /leftmost/],
    [{ name: '-bad' }, '/body/name'],
    [{ name: 'other.org.' }, '/body/name', /not inside/],
    [{ name: 'a b' }, '/body/name'],
    [{ name: 'x\u0000' }, '/body/name'],
    [{ name: '@', type: 'CNAME', data: 'x.example.net' }, '/body/name', /apex/],
    [{ name: '@', type: 'NS', data: 'ns.example.net' }, '/body/name'],
    [{ name: 'www', type: 'CNAME', data: 'a.example.net b.example.net' }, '/body/data'],
    [{ type: 'MX', data: 'mail.example.com' }, '/body/data', /priority/],
    [{ type: 'MX', data: '10 192.0.2.25' }, '/body/data', /not an IP address/],
    [{ type: 'MX', data: '70000 mail.example.com' }, '/body/data'],
    [{ type: 'MX', data: '10 mail' }, '/body/data', /full host name/],
    [{ type: 'MX', data: '10 _mail.example.com' }, '/body/data'],
    [{ name: 'dev', type: 'NS', data: '192.0.2.53' }, '/body/data'],
    [{ name: '*', type: 'NS', data: 'ns.example.net' }, '/body/name'],
    [{ type: 'SRV', data: '10 60 5060' }, '/body/data'],
    [{ type: 'SRV', data: '10 60 99999 sip.example.com' }, '/body/data', /port/],
    [{ type: 'CAA', data: '0 issues letsencrypt.org' }, '/body/data', /tag/],
    [{ type: 'CAA', data: '256 issue letsencrypt.org' }, '/body/data'],
    [{ type: 'CAA', data: '0 iodef example.com' }, '/body/data'],
    [{ type: 'TXT', data: '' }, '/body/data'],
    [{ type: 'TXT', data: 'x'.repeat(4001) }, '/body/data', /4000/],
    [{ type: 'TXT', data: 'line\nbreak' }, '/body/data'],
    [{ type: 'TXT', data: '"open' }, '/body/data'],
  ];
  for (const [input, field, reason] of bad) {
    t.test(JSON.stringify(input).slice(0, 80), async (t) => refused(t, () => rec(input), field, reason));
  }
});

t.test('zone names', async (t) => {
  t.equal(zoneName('Bücher.Example.COM.'), 'xn--bcher-kva.example.com');
  for (const bad of [
    '',
    'com',
    'localhost',
    'a.localhost',
    '192.0.2.1',
    'ex ample.com',
    'a_b.com',
    '-a.com',
    'x.test',
    `${'a'.repeat(64)}.com`,
    'a\u0000.com',
    'ex*.com',
  ]) {
    t.test(JSON.stringify(bad), async (t) => refused(t, () => zoneName(bad), '/body/name'));
  }
  t.equal(zoneName('x.test', '/body/name', { allowReservedTlds: true }), 'x.test');
  t.equal(ownerName('@', Z), Z);
  t.equal(ownerName(`${Z}.`, Z), Z);
});

t.test('CNAME is alone at its name; duplicates and names below a delegation are refused', async (t) => {
  const zone = [
    rec({ name: 'www', type: 'A' }),
    rec({ name: 'alias', type: 'CNAME', data: 'www.example.com' }),
    rec({ name: 'dev', type: 'NS', data: 'ns.example.net' }),
  ];
  refused(t, () => assertFits(rec({ name: 'www', type: 'CNAME', data: '@' }), zone, Z), '/body/type', /alone/);
  refused(t, () => assertFits(rec({ name: 'alias', type: 'TXT', data: 'x' }), zone, Z), '/body/type', /has a CNAME/);
  refused(t, () => assertFits(rec({ name: 'alias', type: 'CNAME', data: 'other.example.net' }), zone, Z), '/body/type');
  refused(t, () => assertFits(rec({ name: 'www', type: 'A' }), zone, Z), '/body/data', /already/);
  refused(t, () => assertFits(rec({ name: 'a.dev', type: 'A' }), zone, Z), '/body/name', /delegation/);
  refused(
    t,
    () => assertFits(rec({ name: 'www', type: 'NS', data: 'ns.example.net' }), [rec({ name: 'x.www' })], Z),
    '/body/name',
    /names below/,
  );
  assertFits(rec({ name: 'www', type: 'A', data: '192.0.2.2' }), zone, Z);
  t.pass('a second A at a name is fine');
});

t.test('serials grow: date-based when larger, else +1', async (t) => {
  const day = new Date('2026-12-05T10:00:00Z');
  t.equal(nextSerial(0, day), 2026120500);
  t.equal(nextSerial(2026120500, day), 2026120501);
  t.equal(nextSerial(2026120599, day), 2026120600, 'past 99 changes a day it keeps growing');
  t.equal(nextSerial(2026110100, day), 2026120500);
});

t.test('zone spec and zone file', async (t) => {
  const config = Value.Default(DnsConfig, {}) as DnsConfig;
  const spec = zoneSpec(
    { name: Z, serial: 7 },
    [rec({ ttl: 300 }), rec({ data: '192.0.2.2', ttl: 300 }), rec({ name: 'www', type: 'CNAME', data: '@' })],
    config,
  );
  t.same(
    spec.rrsets.map((s) => `${s.name} ${s.type} ${s.records.join(',')}`),
    [`${Z} A 192.0.2.1,192.0.2.2`, `${Z} NS ns1.hostplane.test.,ns2.hostplane.test.`, `www.${Z} CNAME ${Z}.`],
  );
  t.match(spec.soa, { primary: 'ns1.hostplane.test.', contact: `hostmaster.${Z}.`, serial: 7 });
  const file = zoneFile(spec);
  t.match(file, `$ORIGIN ${Z}.\n@\t3600\tIN\tSOA\tns1.hostplane.test. hostmaster.${Z}. 7 `);
  t.match(file, '\nwww\t3600\tIN\tCNAME\texample.com.\n');
});

t.test('zone files: directives, relative names, parentheses, blank owners; bad lines named', async (t) => {
  const text = [
    '$ORIGIN example.com.',
    '$TTL 600',
    '@  IN SOA ns1.example.net. hostmaster.example.com. ( 2024010101 ; serial',
    '      3600 900 604800 300 )',
    '@        IN NS   ns1.example.net. ; skipped: the platform sets apex NS',
    '@   300  IN A    192.0.2.1',
    '         IN MX   10 mail',
    '         IN TXT  "v=spf1 mx -all"',
    'mail     IN 120 A 192.0.2.25',
    'www         CNAME @',
    '_sip._tcp   SRV  10 60 5060 sip.example.net.',
    'dev         NS   ns1.dev',
    '$ORIGIN sub.example.com.',
    'x           TXT  unquoted',
  ].join('\n');
  const got = parseZoneFile(text, Z, 3600).map((r) => canonicalRecord(r, Z, policy, 3600));
  t.same(
    got.map((r) => `${r.name} ${r.ttl} ${r.type} ${r.content}`),
    [
      `${Z} 300 A 192.0.2.1`,
      `${Z} 600 MX 10 mail.${Z}.`,
      `${Z} 600 TXT "v=spf1 mx -all"`,
      `mail.${Z} 120 A 192.0.2.25`,
      `www.${Z} 600 CNAME ${Z}.`,
      `_sip._tcp.${Z} 600 SRV 10 60 5060 sip.example.net.`,
      `dev.${Z} 600 NS ns1.dev.${Z}.`,
      `x.sub.${Z} 600 TXT "unquoted"`,
    ],
  );
  const badFiles: Array<[string, RegExp]> = [
    ['$INCLUDE other.zone', /line 1: \$INCLUDE is not supported/],
    ['@ IN A 192.0.2.1\nx IN PTR host.example.com.', /line 2: PTR records are not served/],
    ['x CH TXT "a"', /class CH/],
    ['x IN A', /line 1: the A record has no data/],
    ['x ( IN A 192.0.2.1', /never closed/],
    ['x IN TXT "open', /not closed/],
    ['$ORIGIN other.org.\nx A 192.0.2.1', /outside the zone/],
    ['   IN A 192.0.2.1', /needs an owner/],
  ];
  for (const [file, reason] of badFiles) refused(t, () => parseZoneFile(file, Z, 3600), '/body/zoneFile', reason);
});
