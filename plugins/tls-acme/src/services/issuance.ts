/**
 * The `tls-acme:issue` job: one ACME order for one site. Failures are recorded on the row with
 * when to try again (doubling backoff, the CA's Retry-After respected) and picked up by the
 * sweep, so the job itself ends; only an unexpected error (the database gone) fails the job
 * and lets the queue retry it.
 */
import type { ClockService, DnsChallenges, EventsService, Logger, WebServerDriver } from '@hostplane/sdk';
import type { TlsAcmeConfig } from '../config.js';
import { TlsErrors } from '../errors.js';
import { infoOf, parseCertificates } from '../pem.js';
import type { CertificateRow, CertificateStore, SiteRow } from '../store.js';
import { AcmeRateLimited, type AcmeIssuer, type ChallengeResponder, type Issued } from './acme.js';
import { nextAttemptAt } from './backoff.js';
import type { CertificatesService } from './certificates-service.js';
import { assertZones, DnsResponder, wildcardNames } from './dns-responder.js';
import type { Slots } from './slots.js';

export interface IssuanceDeps {
  store: CertificateStore;
  service: CertificatesService;
  issuer: AcmeIssuer;
  slots: Slots;
  drivers: () => WebServerDriver[];
  /** The dns plugin's challenge records (DNS-01, wildcards), when it is enabled. */
  challenges: () => DnsChallenges | undefined;
  events: EventsService;
  clock: ClockService;
  config: () => TlsAcmeConfig;
  logger: Logger;
}

export class Issuance {
  constructor(private readonly deps: IssuanceDeps) {}

  /** The web server's challenge files, when it answers them. */
  private httpResponder(): ChallengeResponder {
    const driver = this.deps.drivers().find((d) => d.putChallenge && d.removeChallenge);
    if (!driver?.putChallenge || !driver.removeChallenge) throw TlsErrors.noChallengeServer();
    const put = driver.putChallenge.bind(driver);
    const remove = driver.removeChallenge.bind(driver);
    return { type: 'http-01', put: (c) => put(c.token, c.keyAuthorization), remove: (c) => remove(c.token) };
  }

  /** One order through the CA: HTTP-01 for the site's names, or DNS-01 for a wildcard. */
  private async order(site: SiteRow, wildcard: boolean): Promise<Issued> {
    const { issuer, slots, clock, config, logger } = this.deps;
    if (!wildcard) {
      const responder = this.httpResponder();
      await this.namesServed(site);
      return slots.run(() => issuer.issue(site.domains, responder));
    }
    // Checked again here, not only when asked: a renewal runs months later, the zone may be gone.
    const names = wildcardNames(site.domains);
    const challenges = this.deps.challenges();
    await assertZones(challenges, names, site.owner_id);
    const responder = new DnsResponder({
      challenges: challenges as DnsChallenges,
      ownerId: site.owner_id,
      now: () => clock.now(),
      timeoutMs: config().dnsWaitSeconds * 1000,
      logger,
    });
    try {
      return await slots.run(() => issuer.issue(names, responder));
    } finally {
      // Success or failure, no TXT record of this order stays behind.
      await responder.cleanup();
    }
  }

  /**
   * A new site's zone on our DNS may not be served yet when its order starts (automatic HTTPS
   * orders as soon as NGINX serves it): the CA would fail to resolve the names and the retry
   * waits minutes. Waited for here, up to `dnsWaitSeconds`; past that the order goes ahead and
   * the CA's answer decides.
   */
  private async namesServed(site: SiteRow): Promise<void> {
    const challenges = this.deps.challenges();
    if (!challenges?.whenServed) return;
    const timeoutMs = this.deps.config().dnsWaitSeconds * 1000;
    try {
      await Promise.all(site.domains.map((d) => challenges.whenServed!(d, site.owner_id, timeoutMs)));
    } catch (err) {
      this.deps.logger.warn({ err, websiteId: site.id }, 'ordering although our DNS does not serve the names yet');
    }
  }

  async run(websiteId: string): Promise<'issued' | 'failed' | 'skipped'> {
    const { store, service } = this.deps;
    const row = await store.get(websiteId);
    const site = await store.site(websiteId);
    if (!row || row.state !== 'pending') return 'skipped';
    if (!site || site.desired === 'deleted') {
      await service.forget(websiteId);
      return 'skipped';
    }
    try {
      const issued = await this.order(site, row.wildcard);
      const chain = parseCertificates(issued.pem, 'certificate');
      if (chain.length === 0) throw new Error('the CA answered without a certificate');
      const info = infoOf(chain[0]!);
      const pem = chain.map((c) => c.toString().trim()).join('\n') + '\n';
      const stored = await service.install(site, { pem, key: issued.key, info }, 'acme', { actorId: null }, true);
      return stored ? 'issued' : 'skipped';
    } catch (err) {
      await this.failed(site, row, err);
      return 'failed';
    }
  }

  private async failed(site: SiteRow, row: CertificateRow, err: unknown): Promise<void> {
    const { store, clock, config, events, logger } = this.deps;
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
    const attempts = row.attempts + 1;
    const now = clock.now();
    const retryAfter = err instanceof AcmeRateLimited ? err.retryAfter : null;
    // A first certificate stops after maxAttempts (the names may not point here yet: the customer
    // asks again); a renewal keeps trying once a day, the old certificate is still serving.
    const final = attempts >= config().maxAttempts;
    const next = final
      ? row.certificate_pem
        ? new Date(Math.max(now.getTime() + 86_400_000, retryAfter?.getTime() ?? 0))
        : null
      : nextAttemptAt(attempts, config().retryBaseSeconds, now, retryAfter);
    logger.warn({ err, websiteId: site.id, attempts, next }, 'certificate order failed');
    await store.db.transaction(async (trx) => {
      const n = await store
        .certificates(trx)
        .where({ website_id: site.id, state: 'pending' })
        .update({ state: 'failed', attempts, next_attempt_at: next, last_error: message, updated_at: trx.fn.now() });
      if (n === 0) return;
      await events.emit(
        'certificate.failed',
        { websiteId: site.id, domains: site.domains, reason: message, attempts, final: next === null },
        { trx },
      );
    });
  }
}
