/**
 * The reconciler: make the web server match the desired state in PostgreSQL.
 *
 * One job (`websites:reconcile`, one pending at a time; runs take turns on an advisory lock)
 * takes every site whose `generation` is ahead of `applied_generation` and applies them together, so the driver can fold a burst of changes into a handful of reloads. Each site is
 * done when the server took its current generation; a crash at any step leaves the site
 * behind, and the next run (queued by the next change, by the plugin's start and by the sweep
 * schedule) applies it again: driver calls are idempotent, so repeating a step changes nothing.
 */
import {
  SiteConfigRejected,
  WebServerUnavailable,
  type EventsService,
  type JobContext,
  type Logger,
  type SiteCertificates,
  type SiteDatabases,
  type SiteTlsState,
  type WebServerDriver,
  type WordPressSpec,
} from '@hostplane/sdk';
import type { WebsitesConfig } from './config.js';
import { siteSpecOf, type PackageResources } from './spec.js';
import type { SubscriptionInfo, WebsiteRow, WebsiteStore } from './store.js';

/** Transient failures of one generation before the site shows `error`. */
export const MAX_FAILURES = 5;
/** Sites applied together in one round. */
const BATCH = 500;

export type Outcome = 'applied' | 'rejected' | 'waiting' | 'failed';

export interface ReconcilerDeps {
  store: WebsiteStore;
  events: EventsService;
  logger: Logger;
  config: () => WebsitesConfig;
  drivers: () => WebServerDriver[];
  /** Makes WordPress sites' own databases (the databases plugin), when one is enabled. */
  siteDatabases?: () => SiteDatabases | undefined;
  /** Certificates the sites serve over HTTPS (the tls-acme plugin), when one is enabled. */
  siteCertificates?: () => SiteCertificates | undefined;
}

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /**
   * Apply every site behind its desired state; each at most once per run. Runs in all host
   * processes take turns on an advisory lock held by an open transaction: a process that dies
   * mid-run drops its connection and with it the lock, where a job queue's lock would stay until
   * it expires (graphile-worker's named queues stay locked for hours after a crash).
   */
  async run(job?: Pick<JobContext, 'progress'>): Promise<Record<Outcome, number>> {
    return this.deps.store.db.transaction(async (lock) => {
      await lock.raw('select pg_advisory_xact_lock(hashtext(?))', ['websites.reconcile']);
      return this.runLocked(job);
    });
  }

  private async runLocked(job?: Pick<JobContext, 'progress'>): Promise<Record<Outcome, number>> {
    const synced = await this.deps.store.syncSuspensions();
    if (synced > 0) this.deps.logger.info({ websites: synced }, 'suspensions brought in line with subscriptions and owners');
    await this.takeCertificateChanges();
    const counts: Record<Outcome, number> = { applied: 0, rejected: 0, waiting: 0, failed: 0 };
    const tried = new Set<string>();
    for (;;) {
      // The batch's rows, aliases and packages in three queries, not three per site.
      const rows = (await this.deps.store
        .table()
        .whereRaw('applied_generation < generation')
        .whereNotIn('id', [...tried])
        .orderBy('updated_at')
        .limit(BATCH)) as WebsiteRow[];
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.id);
      const aliases = await this.deps.store.aliasesOf(ids);
      const subscriptions = await this.deps.store.subscriptions(rows.map((r) => r.subscription_id));
      // Looked up per round: the driver plugin may have been enabled or disabled meanwhile.
      const driver = this.deps.drivers()[0];
      const certificates = this.deps.siteCertificates?.();
      const tls = certificates ? await certificates.forSites(ids) : new Map<string, SiteTlsState>();
      const outcomes = await Promise.all(
        rows.map(async (r) => {
          const outcome = await this.reconcileOne(
            r,
            aliases.get(r.id) ?? [],
            subscriptions.get(r.subscription_id) ?? null,
            driver,
            tls.get(r.id),
          );
          // Taken, or refused for good (the site shows why): either way not asked again until it changes.
          const state = tls.get(r.id);
          if (state && certificates && (outcome === 'applied' || outcome === 'rejected')) {
            await certificates.served(r.id, state.version).catch((err: unknown) => {
              this.deps.logger.warn({ err, websiteId: r.id }, 'acknowledging a certificate failed');
            });
          }
          return outcome;
        }),
      );
      for (const outcome of outcomes) counts[outcome] += 1;
      for (const id of ids) tried.add(id);
      await job?.progress(Math.min(0.99, tried.size / (tried.size + BATCH)), `${tried.size} websites reconciled`);
    }
    if (tried.size > 0) this.deps.logger.info({ ...counts }, 'websites reconciled');
    return counts;
  }

  /**
   * Bring one site (as read at the start of the round) to its desired generation. Never throws:
   * the outcome says what happened. A change made meanwhile is left to the next round: every
   * write below compares the generation it read.
   */
  private async reconcileOne(
    row: WebsiteRow,
    aliases: string[],
    subscription: Pick<SubscriptionInfo, 'resources' | 'throttle'> | null,
    driver: WebServerDriver | undefined,
    tls?: SiteTlsState,
  ): Promise<Outcome> {
    if (!driver) {
      await this.waiting(row, 'no web server plugin is enabled');
      return 'waiting';
    }
    try {
      if (row.desired === 'deleted') {
        await driver.remove({ id: row.id, name: row.name });
        if (row.settings.deleteDatabase && (await this.deps.siteDatabases?.()?.removeForSite(row.id))) {
          await this.deps.store.record(row.id, 'delete', 'ok', 'its database deleted');
        }
        await this.finishDelete(row, aliases);
        return 'applied';
      }
      const database = row.kind === 'wordpress' && row.desired === 'active' ? await this.wordpressDatabase(row) : null;
      const resources: PackageResources | null = subscription?.resources ?? null;
      const spec = {
        ...siteSpecOf(row, aliases, this.deps.config(), resources, database?.spec ?? null),
        tls: tls?.tls ?? null,
        throttle: subscription?.throttle ?? null,
      };
      const applied = spec.state === 'suspended' ? (await driver.suspend(spec), null) : await driver.apply(spec);
      // Whatever the generation now: wp-config.php holds this password, so it must not be reissued.
      if (database?.issued) await this.markInstalled(row.id);
      await this.finish(row, spec.state === 'suspended' ? 'suspended' : 'active', aliases, applied);
      return 'applied';
    } catch (err) {
      return this.failed(row, err);
    }
  }

  /**
   * A WordPress site's own database, when a `site-databases` provider is enabled (else null: the
   * config's shared account). Until an apply carrying the password succeeded (`installed`), each
   * try issues a fresh password: it is never stored, and the driver writes it into wp-config.php
   * only on the install. Afterwards the spec carries no password (the install does not run again).
   */
  private async wordpressDatabase(row: WebsiteRow): Promise<{ spec: WordPressSpec['database']; issued: boolean } | null> {
    const provider = this.deps.siteDatabases?.();
    const known = row.settings.wordpressDatabase;
    if (!provider) return null;
    // Served before a provider was enabled: installed with the config's account, which its
    // wp-config.php names; a new database would only count against the package.
    if (!known && row.document_root !== null) return null;
    if (known?.installed) {
      return {
        spec: { host: known.host, name: known.database, user: known.user, password: '', tablePrefix: 'wp_' },
        issued: false,
      };
    }
    const db = await provider.issueForSite({
      siteId: row.id,
      siteName: row.name,
      ownerId: row.owner_id,
      subscriptionId: row.subscription_id,
      engine: 'mariadb',
    });
    const stored = { databaseId: db.databaseId, database: db.database, user: db.user, host: db.host, installed: false };
    const { store } = this.deps;
    await store
      .table()
      .where({ id: row.id })
      .update({
        settings: store.knex.raw(`settings || jsonb_build_object('wordpressDatabase', ?::jsonb)`, [
          JSON.stringify(stored),
        ]) as unknown as WebsiteRow['settings'],
      });
    if (!known) await store.record(row.id, 'apply', 'info', `database ${db.database} and user ${db.user} created`);
    return { spec: { host: db.host, name: db.database, user: db.user, password: db.password, tablePrefix: 'wp_' }, issued: true };
  }

  /**
   * Sites whose certificate changed since the web server last took it get a new generation, so
   * this run applies them with the rest (many certificates landing at once: one batch, a few
   * reloads). Sites already waiting for a run need no bump.
   */
  private async takeCertificateChanges(): Promise<void> {
    const certificates = this.deps.siteCertificates?.();
    if (!certificates) return;
    const ids = await certificates.changed(BATCH);
    if (ids.length === 0) return;
    const { store } = this.deps;
    await store
      .table()
      .whereIn('id', ids)
      .whereNot('desired', 'deleted')
      .whereRaw('applied_generation >= generation')
      .update({ generation: store.knex.raw('generation + 1') as unknown as number, failures: 0 });
  }

  private async markInstalled(id: string): Promise<void> {
    const { store } = this.deps;
    await store
      .table()
      .where({ id })
      .update({
        settings: store.knex.raw(
          `jsonb_set(settings, '{wordpressDatabase,installed}', 'true')`,
        ) as unknown as WebsiteRow['settings'],
      });
  }

  private async finish(
    row: WebsiteRow,
    status: 'active' | 'suspended',
    aliases: string[],
    applied: { documentRoot: string; previewUrl: string | null } | null,
  ): Promise<void> {
    const { store } = this.deps;
    await store.db.transaction(async (trx) => {
      const updated = await store
        .table(trx)
        .where({ id: row.id, generation: row.generation })
        .update({
          status,
          status_reason: null,
          applied_generation: row.generation,
          failures: 0,
          ...(applied ? { document_root: applied.documentRoot, preview_url: applied.previewUrl } : {}),
          updated_at: trx.fn.now() as unknown as Date,
        });
      // A newer change arrived while applying: the next run applies that one.
      if (updated === 0) return;
      await store.record(
        row.id,
        status === 'active' ? 'apply' : 'suspend',
        'ok',
        status === 'active' ? 'served' : 'suspension page served',
        trx,
      );
      if (row.status === status) return;
      if (status === 'active') {
        await this.deps.events.emit(
          'website.activated',
          { websiteId: row.id, domain: row.domain, aliases, previewUrl: applied?.previewUrl ?? row.preview_url },
          { trx },
        );
      } else {
        await this.deps.events.emit(
          'website.suspended',
          { websiteId: row.id, domain: row.domain, reasons: row.suspended_for },
          { trx },
        );
      }
    });
  }

  private async finishDelete(row: WebsiteRow, aliases: string[]): Promise<void> {
    const { store } = this.deps;
    await store.db.transaction(async (trx) => {
      const deleted = await store.table(trx).where({ id: row.id, generation: row.generation }).delete();
      if (deleted === 0) return;
      await this.deps.events.emit(
        'website.deleted',
        { websiteId: row.id, ownerId: row.owner_id, domain: row.domain, aliases },
        { trx },
      );
    });
  }

  private async waiting(row: WebsiteRow, reason: string): Promise<void> {
    const message = `waiting for the web server: ${reason}`;
    await this.deps.store.record(row.id, 'apply', 'waiting', message);
    if (row.status_reason !== message) {
      await this.deps.store.table().where({ id: row.id, generation: row.generation }).update({ status_reason: message });
    }
  }

  private async failed(row: WebsiteRow, err: unknown): Promise<Outcome> {
    const { store } = this.deps;
    const message = err instanceof Error ? err.message : String(err);
    if (WebServerUnavailable.is(err)) {
      await this.waiting(row, (err.details as { reason?: string } | undefined)?.reason ?? message);
      return 'waiting';
    }
    if (SiteConfigRejected.is(err)) {
      // The server keeps its last good config for this site; only a new change retries it.
      await store.db.transaction(async (trx) => {
        const n = await store
          .table(trx)
          .where({ id: row.id, generation: row.generation })
          .update({
            status: 'error',
            status_reason: message,
            applied_generation: row.generation,
            updated_at: trx.fn.now() as unknown as Date,
          });
        if (n) await store.record(row.id, 'apply', 'error', message, trx);
      });
      return 'rejected';
    }
    const failures = row.failures + 1;
    const givingUp = failures >= MAX_FAILURES;
    this.deps.logger.warn({ err, websiteId: row.id, failures }, 'applying a website failed');
    await store.db.transaction(async (trx) => {
      const n = await store
        .table(trx)
        .where({ id: row.id, generation: row.generation })
        .update({
          failures,
          status_reason: givingUp ? `provisioning failed: ${message}` : `retrying after: ${message}`,
          ...(givingUp ? { status: row.desired === 'deleted' ? 'deleting' : 'error', applied_generation: row.generation } : {}),
          updated_at: trx.fn.now() as unknown as Date,
        });
      if (n) await store.record(row.id, 'apply', 'error', message, trx);
    });
    return givingUp ? 'rejected' : 'failed';
  }
}
