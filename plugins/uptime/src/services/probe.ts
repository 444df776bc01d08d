/**
 * One check: GET the address once, without following redirects, and say whether it is up.
 * Up is an answer with a status below 400 (a redirect to HTTPS is an answer) within the time
 * limit and, when a keyword is set, with the keyword in the first 256 KiB of the body.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isInternalAddress } from '@hostplane/sdk/network';

/** What to fetch. */
export interface ProbeTarget {
  protocol: 'http' | 'https';
  /** The website's domain: Host header and TLS name. */
  host: string;
  /** Starts with `/`. */
  path: string;
  keyword: string | null;
  timeoutMs: number;
  /** Connect here instead of resolving `host` (the web server's own view). */
  connectTo: { host: string; port: number } | null;
  allowPrivateAddresses: boolean;
}

export interface ProbeResult {
  up: boolean;
  statusCode: number | null;
  responseMs: number;
  /** Why it is down, in words; null when up. */
  error: string | null;
}

const BODY_LIMIT = 256 * 1024;
const USER_AGENT = 'Hostplane-Uptime/0.1 (+uptime check)';

/** The address a URL's host resolves to, refused when private and not allowed. */
async function resolve(host: string, allowPrivate: boolean): Promise<{ address: string; family: number }> {
  const found = await lookup(host, { all: true, verbatim: true });
  if (found.length === 0) throw new Error('the domain does not resolve');
  // Every address, not only the first: a resolver may rotate them between this check and the next.
  if (!allowPrivate && found.some((a) => isInternalAddress(a.address)))
    throw new Error('the domain resolves to a private address, which is not checked');
  return found[0]!;
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the domain does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if (e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT') || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
        return `TLS certificate not accepted (${e.code})`;
      return e.message || String(err);
  }
}

export async function probe(target: ProbeTarget): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let pinned: { address: string; family: number } | null = null;
  try {
    if (!target.connectTo) pinned = await resolve(target.host, target.allowPrivateAddresses);
  } catch (err) {
    return { up: false, statusCode: null, responseMs: elapsed(), error: errorText(err) };
  }
  // The connection goes to the address checked above, never to a second lookup's answer.
  const pinnedLookup: LookupFunction | undefined = pinned
    ? (_host, options, callback) => {
        const p = pinned!;
        if ((options as { all?: boolean }).all) (callback as (e: null, a: unknown[]) => void)(null, [p]);
        else callback(null, p.address, p.family);
      }
    : undefined;
  const client = target.protocol === 'https' ? https : http;
  return new Promise<ProbeResult>((done) => {
    let settled = false;
    const finish = (result: Omit<ProbeResult, 'responseMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      done({ ...result, responseMs: elapsed() });
    };
    const req = client.request({
      method: 'GET',
      host: target.connectTo?.host ?? target.host,
      port: target.connectTo?.port ?? (target.protocol === 'https' ? 443 : 80),
      path: target.path,
      servername: target.host,
      headers: { host: target.host, 'user-agent': USER_AGENT, accept: '*/*' },
      agent: false,
      ...(pinnedLookup ? { lookup: pinnedLookup } : {}),
    });
    const timer = setTimeout(
      () => finish({ up: false, statusCode: null, error: `timed out after ${Math.round(target.timeoutMs / 1000)} s` }),
      target.timeoutMs,
    );
    req.on('error', (err) => finish({ up: false, statusCode: null, error: errorText(err) }));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 400) {
        finish({ up: false, statusCode: status, error: `HTTP ${status}` });
        return;
      }
      if (!target.keyword) {
        finish({ up: true, statusCode: status, error: null });
        return;
      }
      const keyword = Buffer.from(target.keyword, 'utf8');
      let body = Buffer.alloc(0);
      const decide = () => {
        const found = body.includes(keyword);
        finish({ up: found, statusCode: status, error: found ? null : 'the keyword is not on the page' });
      };
      res.on('data', (chunk: Buffer) => {
        body = Buffer.concat([body, chunk]).subarray(0, BODY_LIMIT);
        if (body.length >= BODY_LIMIT || body.includes(keyword)) decide();
      });
      res.on('end', decide);
      res.on('error', (err) => finish({ up: false, statusCode: status, error: errorText(err) }));
    });
    req.end();
  });
}
