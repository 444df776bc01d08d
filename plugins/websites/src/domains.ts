/**
 * Domain names as a hosting panel must take them: what a customer types (`Bücher.Example`,
 * `www.shop.test.`) becomes the ASCII form NGINX and DNS use (`xn--bcher-kva.example`), and
 * everything that could smuggle config (`;`, newlines, `../`), point at the host itself
 * (`localhost`, IP addresses) or impersonate another name (mixed-script lookalikes such as a
 * Cyrillic `а` inside a Latin word) is refused with the reason.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

/** Why a domain was refused, for a 400 naming the field. */
export class DomainRefused extends Error {
  constructor(
    readonly domain: string,
    readonly reason: string,
  ) {
    super(`"${domain}" is not a domain you can host: ${reason}`);
    this.name = 'DomainRefused';
  }
}

/** Names no customer may claim: they reach the host itself or never resolve publicly. */
const RESERVED_SUFFIXES = ['localhost', 'local', 'invalid', 'arpa', 'internal', 'home.arpa', 'onion'];

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Characters that never belong in a host name a person types: they are how config injection,
// path traversal and header splitting start, so they are refused before IDNA mapping can
// quietly turn some of them (full-width dots, for instance) into something else.
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  /[\s/\\;:'"`{}()<>$|&%*?#@,=[\]!^~+]|\.\.|[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;

/** Scripts whose letters may not share a label with another of these scripts. */
const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Hebrew', 'Arabic', 'Georgian', 'Cherokee'] as const;
const SCRIPT_RE = Object.fromEntries(SCRIPTS.map((s) => [s, new RegExp(`\\p{Script=${s}}`, 'u')])) as Record<
  (typeof SCRIPTS)[number],
  RegExp
>;

/** Options of {@link normalizeDomain}. */
export interface DomainPolicy {
  /** Extra names refused with their subdomains, e.g. the panel's own host name. */
  reserved?: readonly string[];
}

/**
 * The ASCII (punycode) form of `input`, or a {@link DomainRefused} saying why not. Accepts
 * upper case, a trailing dot and Unicode; returns lower-case ASCII without the trailing dot.
 */
export function normalizeDomain(input: string, policy: DomainPolicy = {}): string {
  if (typeof input !== 'string' || input.length === 0) throw new DomainRefused(String(input), 'it is empty');
  if (input.length > 300) throw new DomainRefused(input.slice(0, 40) + '…', 'it is longer than 253 characters');
  if (FORBIDDEN.test(input)) throw new DomainRefused(input, 'it contains characters a domain cannot have');
  const trimmed = input.endsWith('.') ? input.slice(0, -1) : input;
  if (trimmed.startsWith('.')) throw new DomainRefused(input, 'it must start with a letter or digit');
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii) throw new DomainRefused(input, 'it is not a valid internationalized domain name');
  if (ascii.length > 253) throw new DomainRefused(input, 'it is longer than 253 characters');
  const labels = ascii.split('.');
  if (labels.length < 2) throw new DomainRefused(input, 'it needs at least two labels, like example.com');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      throw new DomainRefused(input, `the label "${label}" must be 1–63 letters, digits or inner hyphens`);
    }
    if (label.startsWith('xn--') && !domainToUnicode(label)) throw new DomainRefused(input, `"${label}" is not valid punycode`);
  }
  const tld = labels[labels.length - 1] as string;
  if (/^[0-9]+$/.test(tld) || /^[0-9.]+$/.test(ascii)) throw new DomainRefused(input, 'an IP address is not a domain');
  const unicode = domainToUnicode(ascii);
  for (const label of unicode.split('.')) {
    const scripts = SCRIPTS.filter((s) => SCRIPT_RE[s].test(label));
    if (scripts.length > 1) {
      throw new DomainRefused(input, `the label "${label}" mixes ${scripts.join(' and ')} letters (a lookalike of another name)`);
    }
  }
  const reserved = [...RESERVED_SUFFIXES, ...(policy.reserved ?? []).map((r) => r.toLowerCase())];
  for (const name of reserved) {
    if (ascii === name || ascii.endsWith(`.${name}`)) throw new DomainRefused(input, `"${name}" names are reserved`);
  }
  return ascii;
}

/** The Unicode form for display (`xn--bcher-kva.example` → `bücher.example`). */
export function displayDomain(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}

/**
 * A file-name-safe slug for a site (`shop.example.com` → `shop-example-com`), at most `max`
 * characters, starting with a letter or digit: used for its folder, system user and preview
 * host. Uniqueness is the caller's (it adds a counter when taken).
 */
export function slugOf(ascii: string, max = 24): string {
  const base = ascii
    .replace(/^www\./, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = base.slice(0, max).replace(/-+$/, '');
  return cut || 'site';
}
