/**
 * `@hostplane/sdk/network`: which addresses a plugin must not be steered to, in every spelling
 * (IPv4-mapped, NAT64 and IPv4-compatible IPv6, zone ids).
 */
import t from 'tap';
import { isInternalAddress } from '../src/network/index.js';

t.test('internal and public addresses, table', async (t) => {
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
    '192.0.2.10',
    '2001:db8::1',
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
  t.equal(isInternalAddress('example.com'), true, 'not an address: internal (fail closed)');
  t.equal(isInternalAddress('junk'), true);
});
