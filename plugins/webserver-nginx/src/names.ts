/**
 * Strict patterns for everything that reaches a config file or a command line. The websites
 * plugin validates first; the driver checks again because a config file is a privileged place
 * and a newline or `;` in a domain would become a directive.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { SiteConfigRejected } from '@hostplane/sdk';
import type { SiteSpec } from '@hostplane/sdk';

export const SITE_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;
/** One DNS label: letters, digits, inner hyphens, 1–63 characters (punycode `xn--` included). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
export const PHP_VERSION = /^[0-9]{1,2}\.[0-9]{1,2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Environment variable names a Node.js app may receive. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function isDomain(value: string): boolean {
  if (value.length < 1 || value.length > 253) return false;
  const labels = value.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((label) => LABEL.test(label))) return false;
  // The top-level label is never all digits (that would be an IP address).
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}

/** True for a string with no control characters (newlines included). */
function isPrintable(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f]/.test(value);
}

/**
 * Check a spec before anything is rendered; throws SiteConfigRejected naming the field.
 * The extra directives are checked only for balanced braces: they are admin-only raw NGINX and
 * `nginx -t` judges the rest.
 */
export function assertValidSpec(site: SiteSpec, phpVersions: readonly string[]): void {
  const name = SITE_NAME.test(site.name) ? site.name : JSON.stringify(site.name);
  const refuse = (reason: string): never => {
    throw SiteConfigRejected(name, reason);
  };
  if (!SITE_NAME.test(site.name)) refuse('the site name must match [a-z0-9][a-z0-9-]{0,30}');
  if (!UUID.test(site.id)) refuse('the site id must be a uuid');
  if (site.domains.length === 0) refuse('a site needs at least one domain');
  if (site.domains.length > 100) refuse('a site may have at most 100 domains');
  for (const domain of site.domains) {
    if (!isDomain(domain)) refuse(`${JSON.stringify(domain)} is not a lower-case ASCII host name`);
  }
  if (new Set(site.domains).size !== site.domains.length) refuse('a domain is listed twice');
  if (site.state !== 'active' && site.state !== 'suspended') refuse('state must be active or suspended');
  const r = site.resources;
  if (!Number.isInteger(r.phpMemoryMb) || r.phpMemoryMb < 16 || r.phpMemoryMb > 65_536) refuse('phpMemoryMb must be 16–65536');
  if (!Number.isInteger(r.phpMaxChildren) || r.phpMaxChildren < 1 || r.phpMaxChildren > 1000)
    refuse('phpMaxChildren must be 1–1000');
  if (!Number.isInteger(r.uploadMaxMb) || r.uploadMaxMb < 1 || r.uploadMaxMb > 65_536) refuse('uploadMaxMb must be 1–65536');
  if (site.throttle) {
    const t = site.throttle;
    if (!Number.isInteger(t.bytesPerSecond) || t.bytesPerSecond < 1024 || t.bytesPerSecond > 1024 ** 3)
      refuse('throttle.bytesPerSecond must be 1024–1073741824');
    if (!Number.isInteger(t.connections) || t.connections < 1 || t.connections > 10_000)
      refuse('throttle.connections must be 1–10000');
  }
  if (site.php) {
    const p = site.php;
    if (!Number.isInteger(p.memoryLimitMb) || p.memoryLimitMb < 16 || p.memoryLimitMb > r.phpMemoryMb)
      refuse(`php.memoryLimitMb must be 16–${r.phpMemoryMb}`);
    if (!Number.isInteger(p.uploadMaxMb) || p.uploadMaxMb < 1 || p.uploadMaxMb > r.uploadMaxMb)
      refuse(`php.uploadMaxMb must be 1–${r.uploadMaxMb}`);
    if (!Number.isInteger(p.maxExecutionSeconds) || p.maxExecutionSeconds < 1 || p.maxExecutionSeconds > 86_400)
      refuse('php.maxExecutionSeconds must be 1–86400');
    if (typeof p.displayErrors !== 'boolean') refuse('php.displayErrors must be true or false');
  }
  if (site.kind === 'php' || site.kind === 'wordpress') {
    if (site.phpVersion === null || !PHP_VERSION.test(site.phpVersion)) refuse('a PHP site needs a phpVersion like 8.2');
    if (!phpVersions.includes(site.phpVersion as string)) {
      refuse(`PHP ${site.phpVersion} is not installed here (available: ${phpVersions.join(', ') || 'none'})`);
    }
  } else if (site.kind !== 'static' && site.kind !== 'nodejs') {
    refuse(`unknown kind ${JSON.stringify(site.kind)}`);
  }
  if (site.kind === 'wordpress') assertWordPress(site, refuse);
  if (site.kind === 'nodejs') assertNodeApp(site, refuse);
  if (site.tls) assertTls(site.tls, refuse);
  if (site.extraDirectives !== null) {
    if (!isPrintable(site.extraDirectives.replace(/[\n\t\r]/g, ' '))) refuse('extraDirectives contain control characters');
    if (site.extraDirectives.length > 16_384) refuse('extraDirectives are longer than 16 KiB');
    if (!bracesBalanced(site.extraDirectives)) refuse('extraDirectives must not open or close the server block');
  }
}

function assertWordPress(site: SiteSpec, refuse: (reason: string) => never): void {
  const wp = site.wordpress;
  if (!wp) return refuse('a wordpress site needs wordpress settings');
  let url: URL;
  try {
    url = new URL(wp.archiveUrl);
  } catch {
    return refuse('wordpress.archiveUrl is not a URL');
  }
  if (!['file:', 'http:', 'https:'].includes(url.protocol)) refuse('wordpress.archiveUrl must be file:, http: or https:');
  const db = wp.database;
  for (const [field, value] of Object.entries(db)) {
    if (typeof value !== 'string' || !isPrintable(value) || value.length > 200) refuse(`wordpress.database.${field} is invalid`);
  }
  if (!/^[A-Za-z0-9_]{1,20}$/.test(db.tablePrefix)) refuse('wordpress.database.tablePrefix must match [A-Za-z0-9_]{1,20}');
}

function assertNodeApp(site: SiteSpec, refuse: (reason: string) => never): void {
  const app = site.nodejs;
  if (!app) return refuse('a nodejs site needs nodejs settings');
  if (!Number.isInteger(app.port) || app.port < 1024 || app.port > 65_535) refuse('nodejs.port must be 1024–65535');
  if (app.command.length === 0 || app.command.some((arg) => typeof arg !== 'string' || !isPrintable(arg) || arg.includes('\0'))) {
    refuse('nodejs.command must be a non-empty argv of printable strings');
  }
  for (const [key, value] of Object.entries(app.env)) {
    if (!ENV_NAME.test(key) || typeof value !== 'string' || value.includes('\0')) refuse(`nodejs.env.${key} is invalid`);
  }
}

/** Braces outside quoted strings and comments never go below zero and end at zero. */
export function bracesBalanced(text: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0 && quote === null;
}

/** An install's tag in its site users' names: four lower-case letters or digits. */
export const INSTALL_TAG = /^[a-z0-9]{4}$/;

/**
 * The system user of a site: `hp<tag>-<name>` (`hp-<name>` for an install from before tags),
 * shortened with a hash when that would pass the 32 characters useradd accepts. The tag keeps
 * two installs on one machine from sharing a user for sites of the same name.
 */
export function siteUserName(name: string, hash: (s: string) => string, tag = ''): string {
  const full = `hp${tag}-${name}`;
  return full.length <= 32 ? full : `hp${tag}-${name.slice(0, 20 - tag.length)}-${hash(name).slice(0, 8)}`;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * A certificate NGINX will load: PEM only, the key belongs to the first certificate, each
 * certificate signed by the next. (Dates and names are the certificate manager's to judge: an
 * expired certificate still serves while a renewal is pending.)
 */
function assertTls(tls: NonNullable<SiteSpec['tls']>, refuse: (reason: string) => never): void {
  if (typeof tls.certificate !== 'string' || tls.certificate.length > 65_536) refuse('tls.certificate must be PEM up to 64 KiB');
  if (typeof tls.key !== 'string' || tls.key.length > 16_384) refuse('tls.key must be PEM up to 16 KiB');
  if (typeof tls.forceHttps !== 'boolean' || typeof tls.hsts !== 'boolean')
    refuse('tls.forceHttps and tls.hsts must be booleans');
  // Only the PEM blocks reach the files: nothing else (no directives, no includes) can ride along.
  const blocks = tls.certificate.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0 || blocks.length > 10) refuse('tls.certificate must hold 1 to 10 PEM certificates');
  let chain: X509Certificate[] = [];
  try {
    chain = blocks.map((pem) => new X509Certificate(pem));
  } catch (err) {
    refuse(`tls.certificate is not a valid certificate: ${(err as Error).message}`);
  }
  if (!/^-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (RSA |EC )?PRIVATE KEY-----\s*$/.test(tls.key.trim())) {
    refuse('tls.key must be one unencrypted PEM private key');
  }
  let matches = false;
  try {
    matches = (chain[0] as X509Certificate).checkPrivateKey(createPrivateKey(tls.key));
  } catch (err) {
    refuse(`tls.key is not a valid private key: ${(err as Error).message}`);
  }
  if (!matches) refuse('tls.key does not belong to the first certificate of tls.certificate');
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!(chain[i] as X509Certificate).checkIssued(chain[i + 1] as X509Certificate)) {
      refuse(`tls.certificate: certificate ${i + 2} did not issue certificate ${i + 1} (the chain must be in order)`);
    }
  }
}

/** The PEM blocks of a certificate chain, one per line group, as written for NGINX. */
export function certificatePems(certificate: string): string {
  return `${(certificate.match(PEM_CERTIFICATE) ?? []).join('\n')}\n`;
}
