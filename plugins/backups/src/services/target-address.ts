/**
 * Where a reseller's own backup target may point (decision 0086): not at this server, nor at the
 * networks only it can reach. This server contacts a reseller's S3 endpoint or SFTP host itself
 * (restic), so an address such as 127.0.0.1 (the database, the API), 169.254.169.254 (a cloud's
 * metadata service) or the LAN would let a reseller reach, and probe through error messages,
 * services never offered to it. A name is resolved and every address it has is checked. The
 * admin lists the exceptions in the backups config (`resellerTargetHosts`): a backup server on
 * the private network offered to resellers.
 */
import { lookup } from 'node:dns/promises';
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

/** True when `address` (an IP literal) is this server, a private network or not routable. */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names an interface of this host
  const family = isIP(bare);
  if (family === 4) return internal.check(bare, 'ipv4');
  if (family !== 6) throw new TypeError(`not an IP address: ${address}`);
  const v4 = embeddedIPv4(bare);
  return v4 ? internal.check(v4, 'ipv4') : internal.check(bare, 'ipv6');
}

/** The host part of an S3 endpoint (`https://host[:port]`), brackets of an IPv6 address removed. */
export function endpointHost(endpoint: string): string {
  return new URL(endpoint).hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Why `host` may not be a reseller's target, or null when it may: listed by the admin, or every
 * address it resolves to is public. A name that does not resolve is refused (nothing to check).
 */
export async function refusedTargetHost(host: string, allowed: readonly string[]): Promise<string | null> {
  const name = host.toLowerCase().replace(/\.$/, '');
  const exceptions = new Set(allowed.map((h) => h.toLowerCase().replace(/\.$/, '')));
  if (exceptions.has(name)) return null;
  let addresses: string[];
  if (isIP(name)) addresses = [name];
  else {
    try {
      addresses = (await lookup(name, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return `the host ${host} does not resolve`;
    }
  }
  const blocked = addresses.filter((a) => isInternalAddress(a) && !exceptions.has(a.toLowerCase()));
  if (blocked.length === 0) return null;
  return (
    `the host ${host} is this server or on a private network (${blocked.join(', ')}); ` +
    'an admin can allow it in the backups plugin’s settings (resellerTargetHosts)'
  );
}
