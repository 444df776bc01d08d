/**
 * Where a reseller's target may point (services/target-address.ts): every address of this
 * server, a private network or a non-routable range is refused, in every spelling (IPv4-mapped
 * and NAT64 IPv6, names that resolve to them); an admin's exception lets one through.
 */
import t from 'tap';
import { endpointHost, isInternalAddress, refusedTargetHost } from '../src/services/target-address.js';

t.test('internal addresses, table', async (t) => {
  const internal = [
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::169.254.169.254',
    '::127.0.0.1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
  ];
  const external = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '2a00:1450::1'];
  for (const a of internal) t.equal(isInternalAddress(a), true, `${a} is internal`);
  for (const a of external) t.equal(isInternalAddress(a), false, `${a} is public`);
  t.throws(() => isInternalAddress('example.com'), TypeError);
});

t.test('the host of an S3 endpoint', async (t) => {
  t.equal(endpointHost('https://s3.example.com:9000'), 's3.example.com');
  t.equal(endpointHost('https://[::1]:9000'), '::1');
  t.equal(endpointHost('https://user@10.0.0.1'), '10.0.0.1');
});

t.test('refused unless public or allowed by the admin', async (t) => {
  t.equal(await refusedTargetHost('8.8.8.8', []), null, 'a public address');
  t.match(await refusedTargetHost('127.0.0.1', []), /this server or on a private network \(127\.0\.0\.1\).*resellerTargetHosts/);
  t.match(await refusedTargetHost('::ffff:169.254.169.254', []), /private network/);
  t.match(await refusedTargetHost('localhost', []), /the host localhost is this server/, 'a name is resolved');
  t.match(await refusedTargetHost('LOCALHOST.', []), /is this server/, 'in any spelling');
  t.match(await refusedTargetHost('0x7f.1', []), /\(127\.0\.0\.1\)/, 'a name the resolver reads as an address');
  t.match(await refusedTargetHost('2130706433', []), /\(127\.0\.0\.1\)/, 'a number the resolver reads as an address');
  t.match(await refusedTargetHost('no-such-host.invalid', []), /does not resolve/);
  t.equal(await refusedTargetHost('127.0.0.1', ['127.0.0.1']), null, 'an address the admin listed');
  t.equal(await refusedTargetHost('Backup.Lan', ['backup.lan']), null, 'a name the admin listed, unresolved');
  t.match(await refusedTargetHost('10.0.0.2', ['10.0.0.1']), /private network/, 'only what is listed');
});
