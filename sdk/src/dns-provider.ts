/**
 * The DNS extension point. The dns plugin owns every zone's desired state in PostgreSQL; a
 * provider (`plugins/dns-powerdns`, an RFC 2136 server, a third party's API) makes one
 * authoritative server serve it.
 *
 * The unit of work is a whole zone: {@link DnsProvider.applyZone} makes the served zone equal to
 * the spec in one atomic step (every record set the spec names is served as given, every other
 * one is removed), so a failed change leaves the previous zone served and a repeated call
 * changes nothing. The owner of the desired state picks the SOA serial; a provider serves it as
 * given.
 *
 * Names are lower-case ASCII (IDNA already applied), fully qualified, without the trailing dot
 * (`www.example.com`). Record data is in zone-file presentation format as RFC 1035 writes it,
 * with host names fully qualified and ending in a dot (`10 mail.example.com.`), TXT data as one or
 * more quoted strings of at most 255 bytes each (`"v=spf1 -all"`).
 */
import { defineError } from './errors.js';

/** Record types a provider must serve. SOA is described by {@link DnsSoa}, not as a record set. */
export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'SRV' | 'CAA' | 'NS';

/** The record types of {@link DnsRecordType}, for schemas and loops. */
export const DNS_RECORD_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS'];

/** All records of one name and type, served with one TTL. */
export interface DnsRecordSet {
  /** Owner name, fully qualified, no trailing dot: the apex (`example.com`) or below it. */
  name: string;
  type: DnsRecordType;
  /** Seconds. */
  ttl: number;
  /** Record data in presentation format, one entry per record, no duplicates. Never empty. */
  records: string[];
}

/** The zone's start of authority. */
export interface DnsSoa {
  /** Primary name server, a host name ending in a dot (`ns1.example.net.`). */
  primary: string;
  /** Responsible mailbox as a host name ending in a dot (`hostmaster.example.com.`). */
  contact: string;
  /** Chosen by the owner of the desired state; grows with each change (RFC 1982 arithmetic). */
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  /** Negative-caching TTL (RFC 2308). */
  minimum: number;
  /** TTL of the SOA record itself. */
  ttl: number;
}

/** Everything a provider needs to serve one zone. */
export interface DnsZoneSpec {
  /** Zone apex, fully qualified, no trailing dot. */
  name: string;
  soa: DnsSoa;
  /**
   * Every record set of the zone but the SOA, apex NS included. Names are the apex or end in
   * `.<name>`; at most one set per name and type; a CNAME set has one record and no other set
   * shares its name.
   */
  rrsets: DnsRecordSet[];
}

/** A zone as the server serves it now. */
export interface DnsZoneState {
  name: string;
  /** The serial the server answers in its SOA. */
  serial: number;
  /** Record sets but the SOA and DNSSEC records (DNSKEY, RRSIG, NSEC*), sorted by name then type. */
  rrsets: DnsRecordSet[];
}

/** A DS record to hand to the parent zone's registry. */
export interface DsRecord {
  keyTag: number;
  /** DNSSEC algorithm number (13 = ECDSAP256SHA256). */
  algorithm: number;
  /** Digest type (2 = SHA-256, 4 = SHA-384). */
  digestType: number;
  /** Hex digest, upper-case. */
  digest: string;
}

/** DNSSEC state of one zone. */
export interface DnssecState {
  enabled: boolean;
  /** DS records for the parent; empty while disabled. */
  ds: DsRecord[];
}

/** State of the server a provider drives. */
export interface DnsProviderStatus {
  /** `ready`: zones can be applied; `degraded`: they cannot, `reason` says why. */
  state: 'ready' | 'degraded';
  reason: string | null;
  /** Where the server answers queries (`127.0.0.1:5300`), when the provider knows it. */
  listen: string | null;
  /** Whether {@link DnsProvider.setDnssec} can sign zones on this server. */
  dnssec: boolean;
}

/**
 * A DNS provider. Implementations register it with `ctx.extend(extensionPoints.dnsProvider,
 * provider)` and name `dns-provider` in `provides`. Every method is idempotent. Errors:
 * {@link DnsZoneRejected} when the server refuses a zone's content (nothing changed),
 * {@link DnsZoneNotFound} for a zone the server does not have, {@link DnsProviderUnavailable}
 * when the server cannot be reached (retry later).
 */
export interface DnsProvider {
  /** Provider id, e.g. `powerdns`. */
  readonly id: string;
  /**
   * Create the zone if it is absent and make it serve exactly `zone` (SOA included), atomically:
   * either every change is served or none is. Resolves once the server answers with the new data.
   */
  applyZone(zone: DnsZoneSpec): Promise<void>;
  /** What the server serves for the zone, or null when it has no such zone. */
  getZone(name: string): Promise<DnsZoneState | null>;
  /** Names of every zone the server has (sorted). */
  listZones(): Promise<string[]>;
  /** Stop serving the zone and forget it (its DNSSEC keys too). No-op when absent. */
  removeZone(name: string): Promise<void>;
  /** Sign the zone (new keys, DS returned) or stop signing it (keys removed). */
  setDnssec(name: string, enabled: boolean): Promise<DnssecState>;
  /** Whether the zone is signed, and its DS records. */
  getDnssec(name: string): Promise<DnssecState>;
  /** Is the server able to take zones. */
  status(): Promise<DnsProviderStatus>;
}

/** The server refused a zone's content (HTTP 422); nothing was changed. */
export const DnsZoneRejected = defineError(
  'DNS_ERR_ZONE_REJECTED',
  422,
  (zone: string, reason: string) => `the DNS server refused zone ${zone}: ${reason}`,
  (zone: string, reason: string) => ({ zone, reason }),
);

/** The server has no such zone. */
export const DnsZoneNotFound = defineError(
  'DNS_ERR_PROVIDER_ZONE_NOT_FOUND',
  404,
  (zone: string) => `the DNS server has no zone ${zone}`,
  (zone: string) => ({ zone }),
);

/** No server to talk to (not started, unreachable); the caller retries later. */
export const DnsProviderUnavailable = defineError(
  'DNS_ERR_PROVIDER_UNAVAILABLE',
  503,
  (reason: string) => `the DNS server is not available: ${reason}`,
  (reason: string) => ({ reason }),
);
