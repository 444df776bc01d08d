/**
 * Which plugin ids only the first-party key may sign, and which keys are first-party. Release
 * builds sign first-party packages in CI with a key kept in CI secrets; its public half belongs
 * in {@link RELEASE_FIRST_PARTY_KEYS}. A source checkout signs with a build key of its own (made
 * by `npm run build`, never committed), which only that checkout's host trusts: see
 * docs/decisions/0012-plugin-signing.md.
 */

/** Ids reserved to first-party plugins, present and coming. */
export const FIRST_PARTY_IDS: ReadonlySet<string> = new Set([
  'auth',
  'accounts',
  'websites',
  'webserver-nginx',
  'billing',
  'payment-manual',
  'payment-stripe',
  'databases',
  'dns',
  'tls-acme',
  'backups',
  'sftp',
  'cron-jobs',
  'deployments',
  'metering',
  'uptime',
]);

/** Id prefixes reserved to first-party plugins (`databases-mariadb`, `dns-powerdns` …). */
const FIRST_PARTY_PREFIXES = ['databases-', 'dns-'];

/** True when `id` is one only the first-party key may sign. */
export function isFirstPartyId(id: string): boolean {
  return FIRST_PARTY_IDS.has(id) || FIRST_PARTY_PREFIXES.some((prefix) => id.startsWith(prefix));
}

/**
 * Public halves (base64) of the release signing keys. Empty until the first release key is made
 * in CI (the private half never leaves CI secrets); a checkout adds its own build key at boot.
 */
export const RELEASE_FIRST_PARTY_KEYS: readonly string[] = [];
