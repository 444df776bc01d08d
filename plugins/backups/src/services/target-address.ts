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
import { isIP } from 'node:net';
import { isInternalAddress } from '@hostplane/sdk/network';

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
