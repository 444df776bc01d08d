/**
 * Addresses a plugin must not be steered to by a tenant: this server and the networks only it
 * can reach. A plugin that connects where a customer or reseller points it (an uptime check, a
 * backup target, a webhook) would otherwise let them reach services never offered to them.
 */
import { BlockList, isIP } from 'node:net';

/** Special-purpose ranges (IANA registries) that are this host, private, or not routable. */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  internal.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  internal.addSubnet(network, prefix, 'ipv6');

/** An IPv6 address that carries an IPv4 one (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`): that IPv4 address. */
function embeddedIPv4(address: string): string | null {
  // The URL parser writes an IPv6 address in its one canonical form (`::ffff:a00:1`).
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const match = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!match) return null;
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * True when `address` is this server, a private network, or not routable on the internet:
 * loopback, private (RFC 1918), link-local (169.254.169.254: cloud metadata services),
 * carrier-grade NAT, unique-local, multicast, documentation and other special-purpose ranges of
 * IANA's registries, and IPv4-mapped (`::ffff:…`) and NAT64 (`64:ff9b::…`) IPv6 addresses by the
 * IPv4 address they carry. Anything that is not an IP address counts as internal (fail closed).
 *
 * Check every address a name resolves to before connecting where a tenant points you.
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names an interface of this host
  const family = isIP(bare);
  if (family === 4) return internal.check(bare, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIPv4(bare);
  return v4 ? internal.check(v4, 'ipv4') : internal.check(bare, 'ipv6');
}
