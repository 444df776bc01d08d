/**
 * Where a reseller's target may point (services/target-address.ts): a host that is, or resolves
 * to, an internal address (the SDK's isInternalAddress, sdk/test/network.test.ts) is refused;
 * an admin's exception lets one through.
 */
import t from 'tap';
import { endpointHost, refusedTargetHost } from '../src/services/target-address.js';

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
