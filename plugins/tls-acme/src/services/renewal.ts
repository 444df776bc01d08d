/**
 * The sweep (`tls-acme:sweep`, every few minutes): queue orders for certificates due for
 * renewal, for failed orders whose retry time came, and for certificates that no longer cover
 * the site's names; warn once per certificate when it nears expiry; nudge the web server for
 * changes it has not taken. Times come from the platform clock, so tests move them.
 */
import type { ClockService, EventsService, Logger, MailerService, UsersService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { TlsAcmeConfig } from '../config.js';
import type { CertificateRow, CertificateStore } from '../store.js';
import type { CertificatesService } from './certificates-service.js';
import { certificateExpiringMail } from './mails.js';

const DAY = 86_400_000;

export interface SweepDeps {
  store: CertificateStore;
  service: CertificatesService;
  events: EventsService;
  clock: ClockService;
  config: () => TlsAcmeConfig;
  logger: Logger;
  mailer: MailerService;
  users: UsersService;
}

export interface SweepResult {
  queued: number;
  warned: number;
  nudged: number;
}

export class Renewal {
  constructor(private readonly deps: SweepDeps) {}

  async sweep(): Promise<SweepResult> {
    const queued = (await this.queueDue()) + (await this.requeueStale());
    const warned = await this.warnExpiring();
    const nudged = await this.nudgeUnserved();
    if (queued + warned > 0) this.deps.logger.info({ queued, warned, nudged }, 'certificates swept');
    return { queued, warned, nudged };
  }

  /** Move due rows to `pending` and enqueue their orders, in one transaction per batch. */
  private async queueDue(): Promise<number> {
    const { store, service, clock, config } = this.deps;
    const now = clock.now();
    const renewBy = new Date(now.getTime() + config().renewBeforeDays * DAY);
    return store.db.transaction(async (trx) => {
      const sitesDomains = `array(select d.domain from plugin_websites.website_domains d where d.website_id = c.website_id order by d.is_primary desc, d.domain)`;
      const { rows } = (await trx.raw(
        `select c.website_id from ${store.db.schema}.certificates c
           join plugin_websites.websites w on w.id = c.website_id and w.desired <> 'deleted'
          where c.source = 'acme' and (
                 (c.state = 'issued' and (c.not_after <= ? or c.domains is distinct from ${sitesDomains}))
              or (c.state = 'failed' and c.next_attempt_at is not null and c.next_attempt_at <= ?)
          )
          order by c.not_after nulls first
          limit 500
          for update of c skip locked`,
        [renewBy, now],
      )) as { rows: Array<{ website_id: string }> };
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.website_id);
      await store
        .certificates(trx)
        .whereIn('website_id', ids)
        .update({ state: 'pending', requested_at: now, updated_at: trx.fn.now() });
      for (const id of ids) await service.enqueue(id, trx);
      return ids.length;
    });
  }

  /**
   * Orders pending for over an hour: their job died for good (its attempts spent on a database
   * outage). Enqueued again; the job key keeps one pending per site.
   */
  private async requeueStale(): Promise<number> {
    const { store, service, clock } = this.deps;
    const before = new Date(clock.now().getTime() - 3_600_000);
    const rows = (await store
      .certificates()
      .where({ state: 'pending' })
      .where('requested_at', '<', before)
      .select('website_id')
      .limit(500)) as Array<{ website_id: string }>;
    for (const row of rows) await service.enqueue(row.website_id);
    return rows.length;
  }

  /** certificate.expiring once per certificate entering the warning window. */
  private async warnExpiring(): Promise<number> {
    const { store, events, clock, config } = this.deps;
    const now = clock.now();
    const warnBy = new Date(now.getTime() + config().warnBeforeDays * DAY);
    return store.db.transaction(async (trx) => {
      const rows = (await store
        .certificates(trx)
        .whereNotNull('not_after')
        .where('not_after', '<=', warnBy)
        .whereRaw('warned_for is distinct from not_after')
        .forUpdate()
        .skipLocked()
        .limit(500)) as CertificateRow[];
      for (const row of rows) {
        await store.certificates(trx).where({ website_id: row.website_id }).update({ warned_for: row.not_after });
        const notAfter = row.not_after as Date;
        await events.emit(
          'certificate.expiring',
          {
            websiteId: row.website_id,
            domains: row.domains,
            notAfter: notAfter.toISOString(),
            daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY),
          },
          { trx },
        );
        // In the same transaction as `warned_for`: one mail per certificate, even across runs.
        await this.mailOwner(row, notAfter, now, trx);
      }
      return rows.length;
    });
  }

  private async mailOwner(row: CertificateRow, notAfter: Date, now: Date, trx: Knex.Transaction): Promise<void> {
    const { store, users, mailer } = this.deps;
    const site = await store.site(row.website_id, trx);
    const owner = site ? await users.get(site.owner_id) : undefined;
    if (!site || !owner) return;
    await mailer.sendTemplate(
      certificateExpiringMail,
      {
        to: owner.email,
        recipientId: owner.id,
        variables: {
          site: site.domains[0] ?? site.name,
          domains: row.domains,
          expiresOn: notAfter.toISOString().slice(0, 10),
          daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY),
        },
      },
      { trx },
    );
  }

  /** Changes the web server has not taken (an event lost to a crash): the websites plugin reconciles. */
  private async nudgeUnserved(): Promise<number> {
    const { store, events } = this.deps;
    const rows = (await store.certificates().whereRaw('served_version < version').select('website_id').limit(1)) as Array<{
      website_id: string;
    }>;
    for (const row of rows) await events.emit('certificate.changed', { websiteId: row.website_id });
    return rows.length;
  }
}
