/**
 * A small client of PowerDNS Authoritative's HTTP API (`/api/v1/servers/<id>`), the one way this
 * plugin talks to the server in both modes. Errors become the SDK's DNS errors: refused content
 * (HTTP 400/422) is {@link DnsZoneRejected}, no answer is {@link DnsProviderUnavailable}.
 */
import { DnsProviderUnavailable, DnsZoneRejected, HostplaneError } from '@hostplane/sdk';

const TIMEOUT_MS = 15_000;

/** One record set as the API writes it. */
export interface PdnsRrset {
  name: string;
  type: string;
  ttl: number;
  records: { content: string; disabled: boolean }[];
  changetype?: 'REPLACE' | 'DELETE';
}

export interface PdnsZone {
  id: string;
  name: string;
  serial: number;
  dnssec: boolean;
  rrsets: PdnsRrset[];
}

export interface PdnsCryptokey {
  id: number;
  keytype: string;
  active: boolean;
  published: boolean;
  algorithm: string;
  ds?: string[];
}

export class PowerDnsApi {
  private readonly base: string;

  constructor(
    apiUrl: string,
    private readonly apiKey: () => string,
    serverId = 'localhost',
    /** Waited for before each request: the managed server's start in progress. */
    private readonly ready: () => Promise<void> = async () => undefined,
  ) {
    this.base = `${apiUrl.replace(/\/+$/, '')}/api/v1/servers/${encodeURIComponent(serverId)}`;
  }

  /** The zone's id in URLs: its name with a trailing dot (PowerDNS escapes `/` as `=2F`). */
  static zoneId(zone: string): string {
    return encodeURIComponent(`${zone}.`.replace(/\//g, '=2F'));
  }

  async request<T>(method: string, path: string, body?: unknown, zone = ''): Promise<{ status: number; body: T | null }> {
    await this.ready();
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          'X-API-Key': this.apiKey(),
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw DnsProviderUnavailable(`PowerDNS API at ${this.base} did not answer: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: text.slice(0, 300) };
      }
    }
    if (res.ok || res.status === 404) return { status: res.status, body: parsed as T };
    const message = (parsed as { error?: unknown } | null)?.error;
    const reason = typeof message === 'string' ? message : `HTTP ${res.status}`;
    if (res.status === 400 || res.status === 422) throw DnsZoneRejected(zone || '(server)', reason);
    if (res.status === 401 || res.status === 403) throw DnsProviderUnavailable(`PowerDNS refused the API key: ${reason}`);
    if (res.status >= 500) throw DnsProviderUnavailable(`PowerDNS answered ${res.status}: ${reason}`);
    throw new HostplaneError('DNS_ERR_PROVIDER_FAILED', `PowerDNS answered ${res.status}: ${reason}`, 502);
  }

  /** The server's own description (version): the health check. */
  async server(): Promise<{ version: string }> {
    const r = await this.request<{ version: string }>('GET', '');
    if (r.status === 404 || !r.body) throw DnsProviderUnavailable(`no PowerDNS server at ${this.base}`);
    return r.body;
  }

  async zones(): Promise<{ name: string }[]> {
    return (await this.request<{ name: string }[]>('GET', '/zones')).body ?? [];
  }

  async zone(zone: string): Promise<PdnsZone | null> {
    const r = await this.request<PdnsZone>('GET', `/zones/${PowerDnsApi.zoneId(zone)}`, undefined, zone);
    return r.status === 404 ? null : r.body;
  }

  async createZone(zone: string, rrsets: PdnsRrset[]): Promise<void> {
    // No SOA-EDIT-API: the dns plugin chooses every serial and the server serves it as given.
    await this.request(
      'POST',
      '/zones',
      { name: `${zone}.`, kind: 'Native', nameservers: [], soa_edit_api: '', api_rectify: true, rrsets },
      zone,
    );
  }

  /** One PATCH: PowerDNS checks every record set first and commits them in one transaction. */
  async patchZone(zone: string, rrsets: PdnsRrset[]): Promise<void> {
    const r = await this.request('PATCH', `/zones/${PowerDnsApi.zoneId(zone)}`, { rrsets }, zone);
    if (r.status === 404) throw DnsZoneRejected(zone, 'the zone vanished during the change');
  }

  async deleteZone(zone: string): Promise<void> {
    await this.request('DELETE', `/zones/${PowerDnsApi.zoneId(zone)}`, undefined, zone);
  }

  async cryptokeys(zone: string): Promise<PdnsCryptokey[]> {
    return (
      (await this.request<PdnsCryptokey[]>('GET', `/zones/${PowerDnsApi.zoneId(zone)}/cryptokeys`, undefined, zone)).body ?? []
    );
  }

  async addCryptokey(zone: string): Promise<void> {
    await this.request(
      'POST',
      `/zones/${PowerDnsApi.zoneId(zone)}/cryptokeys`,
      { keytype: 'csk', active: true, published: true, algorithm: 'ECDSAP256SHA256' },
      zone,
    );
  }

  async deleteCryptokey(zone: string, id: number): Promise<void> {
    await this.request('DELETE', `/zones/${PowerDnsApi.zoneId(zone)}/cryptokeys/${id}`, undefined, zone);
  }

  async rectify(zone: string): Promise<void> {
    await this.request('PUT', `/zones/${PowerDnsApi.zoneId(zone)}/rectify`, undefined, zone);
  }
}
