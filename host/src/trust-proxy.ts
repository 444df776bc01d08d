/**
 * `HOSTPLANE_TRUST_PROXY`: the reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto`
 * the host believes. Behind a proxy every request comes from the proxy's address, so without it
 * the per-IP rate limit is one budget shared by every visitor, sign-in throttling locks everyone
 * out together, and the audit log records the proxy. Trusting the header from anyone instead
 * lets a client name any address it likes and walk around those limits, so the variable lists
 * the proxies (addresses, CIDR ranges, or proxy-addr's names `loopback`, `linklocal`,
 * `uniquelocal`) and never means "everyone".
 */
import { isIP } from 'node:net';

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why `entry` is not a proxy address or range, or undefined when it is one. */
function problemOf(entry: string): string | undefined {
  if (NAMED.has(entry)) return undefined;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `"${entry}" is not an IP address, a CIDR range or one of ${[...NAMED].join(', ')}`;
  if (slash === -1) return undefined;
  const bits = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}" has a prefix length outside 0–${max}`;
  if (Number(bits) === 0) return `"${entry}" trusts every address: list the proxies instead`;
  return undefined;
}

/**
 * The trusted proxies of `value` (comma-separated), or a reason it is refused. Empty or unset:
 * none (the host believes only the socket).
 */
export function parseTrustProxy(value: string | undefined): { proxies: string[] } | { problem: string } {
  if (value === undefined || value.trim() === '') return { proxies: [] };
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) return { problem: 'has an empty entry' };
  for (const entry of entries) {
    if (entry === '*' || /^(true|yes|all|1)$/i.test(entry)) {
      return { problem: `"${entry}" would trust every client: list the proxies (e.g. 127.0.0.1 or 10.0.0.0/8)` };
    }
    const problem = problemOf(entry);
    if (problem) return { problem };
  }
  return { proxies: entries };
}
