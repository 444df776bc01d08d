/**
 * ACME DNS-01 challenge records: the `dns-challenges` extension point. The dns plugin, which
 * owns every zone's desired state, implements it; a certificate plugin (`plugins/tls-acme`)
 * looks it up when an order needs DNS-01 (wildcards), so certificates work without it (HTTP-01)
 * and neither plugin reads the other's tables. A challenge record is part of the zone's desired
 * state (a record written straight to the server would be undone by the next apply), carries an
 * expiry after which the dns plugin removes it on its own, and is removed by its handle: other
 * values at the same name (the apex's and the wildcard's, or a parallel order's) stay.
 * See docs/decisions/0056-dns-01-challenges-through-the-dns-plugin.md.
 */
import { defineError } from './errors.js';

/** A TXT value put for a challenge: what {@link DnsChallenges.remove} needs to take it back. */
export interface DnsChallengeRecord {
  /** Id of the record in the dns plugin. */
  id: string;
  /** Apex of the zone holding it. */
  zone: string;
  /** Full owner name, `_acme-challenge.<domain>`, no trailing dot. */
  name: string;
  /** The TXT value (the base64url key-authorization digest of RFC 8555 §8.4). */
  value: string;
}

/** What {@link DnsChallenges.put} takes. */
export interface DnsChallengeInput {
  /** The name being validated, without `*.` (`example.com` for `*.example.com`). */
  domain: string;
  /** The user the zone must belong to (the website's owner). */
  ownerId: string;
  /** TXT value, printable ASCII. */
  value: string;
  /** When the dns plugin removes the record by itself if nobody did (a crash mid-order). */
  expiresAt: Date;
}

/**
 * Implemented by the plugin that owns DNS zones. Every method is safe to call again.
 */
export interface DnsChallenges {
  /**
   * The apex of the zone on this platform's DNS that serves `domain` (the longest zone equal to
   * or above it) when it belongs to `ownerId`; null when no zone serves it or another account's
   * does (the two are not told apart: the answer must not reveal other accounts' zones).
   */
  zoneOf(domain: string, ownerId: string): Promise<string | null>;
  /**
   * Add `value` as a TXT record at `_acme-challenge.<domain>` in the owner's zone and make the
   * DNS server serve it (applied before this resolves). A value already there is reused.
   * Throws {@link DnsChallengeRefused} when no zone of the owner serves `domain` or the zone
   * cannot take the record (a CNAME at that name, a delegation).
   */
  put(input: DnsChallengeInput): Promise<DnsChallengeRecord>;
  /**
   * Resolve once the zone's authoritative server answers `record.value` for `record.name`
   * (asked directly, not through a resolver); throw after `timeoutMs`.
   */
  waitServed(record: DnsChallengeRecord, timeoutMs: number): Promise<void>;
  /** Remove this value (only it) and make the server stop serving it. No-op when already gone. */
  remove(record: DnsChallengeRecord): Promise<void>;
  /**
   * Resolve once this platform's DNS serves the current version of the owner's zone that serves
   * `domain` (its changes applied, and the server answering that version's SOA serial when it
   * says where it listens); at once when no zone of the owner serves `domain`. Throws after
   * `timeoutMs`. A certificate plugin asks before an HTTP-01 order, so the CA does not look a
   * new site's name up before its zone exists (a failed validation costs a retry much later).
   * Optional: implementations from before it may lack it.
   */
  whenServed?(domain: string, ownerId: string, timeoutMs: number): Promise<void>;
}

/** A challenge record cannot be put: no zone of the owner serves the name, or the zone refuses it. */
export const DnsChallengeRefused = defineError(
  'DNS_ERR_CHALLENGE_REFUSED',
  409,
  (domain: string, reason: string) => `no DNS-01 record for ${domain}: ${reason}`,
  (domain: string, reason: string) => ({ domain, reason }),
);
