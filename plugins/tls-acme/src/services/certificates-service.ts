/**
 * What people do with a site's certificate: see it, ask the CA for one (first time or renewal
 * now), upload their own, flip the HTTPS switches. Every change is one transaction on the
 * site's locked row; the order itself is a durable job enqueued in that transaction.
 */
import type { AuditService, ClockService, DnsChallenges, EventsService, JobsService, SecretsService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { TlsErrors } from '../errors.js';
import { assertZones, wildcardNames } from './dns-responder.js';
import { namesOf } from './names.js';
import { lenderOf, touchBorrowers } from './shared-wildcards.js';
import { checkUpload, type CertificateInfo, type Upload } from '../pem.js';
import { certificateView, type CertificateRow, type CertificateStore, type CertificateView, type SiteRow } from '../store.js';

export const ISSUE_JOB = 'issue';

/** Who asked, for the audit log. */
export interface RequestInfo {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface CertificatesServiceDeps {
  store: CertificateStore;
  secrets: SecretsService;
  jobs: JobsService;
  audit: AuditService;
  events: EventsService;
  clock: ClockService;
  /** The dns plugin's challenge records (DNS-01, wildcards), when it is enabled. */
  challenges: () => DnsChallenges | undefined;
}

/** Secret name of a certificate's key (one per certificate: a renewal never overwrites the serving key). */
export const keySecret = (websiteId: string, serial: string): string => `key:${websiteId}:${serial.toLowerCase()}`;

export class CertificatesService {
  constructor(private readonly deps: CertificatesServiceDeps) {}

  async view(site: SiteRow, row?: CertificateRow): Promise<CertificateView> {
    const current = row ?? (await this.deps.store.get(site.id));
    const own = Boolean(current?.certificate_pem);
    const from = own ? null : await lenderOf(this.deps.store, site);
    return certificateView(site, current, own && current ? namesOf(current) : [], this.deps.clock.now(), from);
  }

  /**
   * Queue an ACME order for the site (a first certificate or a renewal now). Asking again while
   * one is queued or running changes nothing. `wildcard` unsaid keeps the site's last choice,
   * so "renew now" renews a wildcard as a wildcard.
   */
  async request(
    site: SiteRow,
    info: RequestInfo,
    options: { wildcard?: boolean; onlyFirst?: boolean } = {},
  ): Promise<CertificateView> {
    const { store, audit, clock } = this.deps;
    const wildcard = options.wildcard ?? (await store.get(site.id))?.wildcard ?? false;
    // A wildcard is answered in the owner's zones on our DNS: refused now (409) when they are
    // not, rather than failing in the background.
    if (wildcard) await assertZones(this.deps.challenges(), wildcardNames(site.domains), site.owner_id);
    const row = await store.db.transaction(async (trx) => {
      const current = await store.ensure(site, trx);
      if (current.state === 'pending') return current;
      // An automatic order is a site's first only: never over an upload, a failure or a renewal.
      if (options.onlyFirst && (current.state !== 'none' || current.certificate_pem)) return current;
      const [updated] = (await store
        .certificates(trx)
        .where({ website_id: site.id })
        .update({
          state: 'pending',
          wildcard,
          attempts: 0,
          next_attempt_at: null,
          last_error: null,
          requested_at: clock.now(),
          updated_at: trx.fn.now(),
        })
        .returning('*')) as CertificateRow[];
      await this.enqueue(site.id, trx);
      await audit.record(
        {
          action: 'tls.certificate.requested',
          actorId: info.actorId,
          target: { type: 'website', id: site.id },
          details: { domains: site.domains, wildcard },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      return updated as CertificateRow;
    });
    return this.view(site, row);
  }

  /** The issue job for a site; one pending per site (the job key). */
  async enqueue(websiteId: string, trx?: Knex.Transaction): Promise<void> {
    await this.deps.jobs.enqueue(ISSUE_JOB, { websiteId }, { trx, jobKey: `tls-acme:issue:${websiteId}` });
  }

  /** Check and store the customer's own certificate; it replaces whatever served before. */
  async upload(site: SiteRow, upload: Upload, info: RequestInfo): Promise<CertificateView> {
    const checked = checkUpload(upload, site.domains, this.deps.clock.now());
    const row = await this.install(site, { pem: checked.pem, key: checked.key, info: checked.info }, 'upload', info);
    if (!row) throw TlsErrors.siteNotFound(site.id);
    return this.view(site, row);
  }

  /**
   * Store a certificate as the site's current one (upload, or an order's result) and tell the
   * web server. The key is written as a secret first, named by the certificate's serial: a crash
   * before the commit leaves an unused secret, never a row naming a missing key. `onlyIfPending`
   * (orders): an upload or a deletion since the order began wins, the result is dropped.
   */
  async install(
    site: SiteRow,
    cert: { pem: string; key: string; info: CertificateInfo },
    source: 'acme' | 'upload',
    info: RequestInfo,
    onlyIfPending = false,
  ): Promise<CertificateRow | null> {
    const { store, secrets, audit, events } = this.deps;
    const secret = keySecret(site.id, cert.info.serial);
    await secrets.set(secret, cert.key);
    let previous: string | null = null;
    const row = await store.db.transaction(async (trx) => {
      const current = await store.ensure(site, trx);
      if (onlyIfPending && current.state !== 'pending') return null;
      previous = current.key_secret;
      // The owner's sites that serve this site's wildcard (or will) take the change too.
      await touchBorrowers(store, events, trx, site.owner_id, site.id, [namesOf(current), cert.info.names]);
      const [updated] = (await store
        .certificates(trx)
        .where({ website_id: site.id })
        .update({
          source,
          state: 'issued',
          domains: site.domains,
          certificate_pem: cert.pem,
          key_secret: secret,
          issuer: cert.info.issuer,
          serial: cert.info.serial,
          not_before: cert.info.notBefore,
          not_after: cert.info.notAfter,
          attempts: 0,
          next_attempt_at: null,
          last_error: null,
          warned_for: null,
          version: trx.raw('version + 1'),
          updated_at: trx.fn.now(),
        })
        .returning('*')) as CertificateRow[];
      await audit.record(
        {
          action: source === 'upload' ? 'tls.certificate.uploaded' : 'tls.certificate.issued',
          actorId: info.actorId,
          target: { type: 'website', id: site.id },
          details: { issuer: cert.info.issuer, serial: cert.info.serial, notAfter: cert.info.notAfter.toISOString() },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      const payload = {
        websiteId: site.id,
        domains: site.domains,
        issuer: cert.info.issuer,
        notAfter: cert.info.notAfter.toISOString(),
        source,
      };
      await events.emit('certificate.issued', payload, { trx });
      await events.emit('certificate.changed', { websiteId: site.id }, { trx });
      return updated as CertificateRow;
    });
    if (!row) {
      await secrets.delete(secret);
      return null;
    }
    if (previous && previous !== secret) await secrets.delete(previous);
    return row;
  }

  /**
   * Flip force-HTTPS and HSTS; both need a certificate (a redirect to nothing would break the
   * site): the site's own, or its owner's wildcard that it serves. A borrower's switches are its
   * own; they apply while it serves a wildcard and fall silent (plain HTTP) if the wildcard goes.
   */
  async setSwitches(
    site: SiteRow,
    switches: { forceHttps?: boolean; hsts?: boolean },
    info: RequestInfo,
  ): Promise<CertificateView> {
    const { store, audit, events } = this.deps;
    const row = await store.db.transaction(async (trx) => {
      let current = await store.get(site.id, trx, true);
      if (!current?.certificate_pem) {
        if (!(await lenderOf(store, site))) throw TlsErrors.noCertificate();
        // A borrower that never had a row of its own gets one to hold its switches.
        current = current ?? (await store.ensure(site, trx));
      }
      const next = { force_https: switches.forceHttps ?? current.force_https, hsts: switches.hsts ?? current.hsts };
      if (next.force_https === current.force_https && next.hsts === current.hsts) return current;
      const [updated] = (await store
        .certificates(trx)
        .where({ website_id: site.id })
        .update({ ...next, version: trx.raw('version + 1'), updated_at: trx.fn.now() })
        .returning('*')) as CertificateRow[];
      await audit.record(
        {
          action: 'tls.certificate.switched',
          actorId: info.actorId,
          target: { type: 'website', id: site.id },
          details: { forceHttps: next.force_https, hsts: next.hsts },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      await events.emit('certificate.changed', { websiteId: site.id }, { trx });
      return updated as CertificateRow;
    });
    return this.view(site, row);
  }

  /** The site is gone: its row and keys too; sites that served its wildcard stop. */
  async forget(websiteId: string): Promise<void> {
    const { store, secrets, events } = this.deps;
    await store.db.transaction(async (trx) => {
      const current = await store.get(websiteId, trx, true);
      const site = await store.site(websiteId, trx);
      await store.certificates(trx).where({ website_id: websiteId }).delete();
      if (current && site) await touchBorrowers(store, events, trx, site.owner_id, websiteId, [namesOf(current)]);
    });
    for (const name of await secrets.list()) {
      if (name.startsWith(`key:${websiteId}:`)) await secrets.delete(name);
    }
  }
}
