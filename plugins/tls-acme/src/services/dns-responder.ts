/**
 * DNS-01, for wildcard certificates: the names a wildcard order covers, the check that the
 * site's owner has their zones on this platform's DNS, and the responder that answers each
 * challenge with a TXT record through the dns plugin's `dns-challenges` extension point.
 * See docs/decisions/0056-dns-01-challenges-through-the-dns-plugin.md.
 */
import type { DnsChallengeRecord, DnsChallenges, Logger } from '@hostplane/sdk';
import { TlsErrors } from '../errors.js';
import type { ChallengeAnswer, ChallengeResponder } from './acme.js';

/**
 * How long a challenge record may live if the order never removes it (its process died): the
 * dns plugin's sweep removes it then. Far beyond an order's few minutes.
 */
export const CHALLENGE_LIFETIME_MS = 3_600_000;

/**
 * Names of a wildcard order for a site: its base domain (the primary without `www.`), `*.<base>`,
 * and the site's other names the wildcard does not cover (a CA refuses names a wildcard in the
 * same order already covers).
 */
export function wildcardNames(domains: string[]): string[] {
  const primary = domains[0] ?? '';
  const base = primary.startsWith('www.') ? primary.slice(4) : primary;
  const covered = (d: string) => d === base || (d.endsWith(`.${base}`) && !d.slice(0, -base.length - 1).includes('.'));
  return [...new Set([base, `*.${base}`, ...domains.filter((d) => !covered(d))])];
}

/**
 * Every name's zone must be on our DNS and the site owner's, or the wildcard is refused (409
 * naming the first name that is not). Another account's zone reads as absent.
 */
export async function assertZones(challenges: DnsChallenges | undefined, names: string[], ownerId: string): Promise<void> {
  if (!challenges)
    throw TlsErrors.wildcardRefused(names[0] ?? '', 'wildcard certificates need the DNS plugin, which is not enabled');
  for (const name of names) {
    const domain = name.replace(/^\*\./, '');
    if (!(await challenges.zoneOf(domain, ownerId))) {
      throw TlsErrors.wildcardRefused(domain, `no DNS zone of yours on this platform serves ${domain}; add the zone first`);
    }
  }
}

export interface DnsResponderOptions {
  challenges: DnsChallenges;
  ownerId: string;
  /** The platform clock (records expire on it). */
  now: () => Date;
  /** Bound on waiting for the zone's server to answer a value. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * One order's DNS-01 answers. Each value gets a record of its own (the apex's and the
 * wildcard's share a name), removed by its id; whatever is still out when the order ends (a
 * removal that failed, a put that finished after the order gave up) goes in {@link cleanup}.
 */
export class DnsResponder implements ChallengeResponder {
  readonly type = 'dns-01' as const;
  readonly #out = new Map<string, DnsChallengeRecord>();
  #closed = false;

  constructor(private readonly o: DnsResponderOptions) {}

  async put(challenge: ChallengeAnswer): Promise<void> {
    const record = await this.o.challenges.put({
      domain: challenge.identifier,
      ownerId: this.o.ownerId,
      value: challenge.keyAuthorization,
      expiresAt: new Date(this.o.now().getTime() + CHALLENGE_LIFETIME_MS),
    });
    this.#out.set(record.id, record);
    if (this.#closed) {
      await this.cleanup();
      throw new Error('the order ended while its challenge record was being written');
    }
    // Tell the CA only once our own server answers: it asks that server, and a failed check
    // spends the authorization.
    await this.o.challenges.waitServed(record, this.o.timeoutMs);
  }

  async remove(challenge: ChallengeAnswer): Promise<void> {
    for (const [id, record] of this.#out) {
      if (record.value !== challenge.keyAuthorization) continue;
      await this.o.challenges.remove(record);
      this.#out.delete(id);
    }
  }

  /** Remove every record still out; a failure is logged and left to the records' expiry. */
  async cleanup(): Promise<void> {
    this.#closed = true;
    for (const [id, record] of this.#out) {
      try {
        await this.o.challenges.remove(record);
        this.#out.delete(id);
      } catch (err) {
        this.o.logger.warn({ err, record: record.name }, 'challenge record not removed; it expires');
      }
    }
  }
}
