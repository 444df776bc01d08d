/**
 * Zone templates per package (decision 0070). The plugin stores a package's template in its own
 * table (`package_templates`, keyed by the package id) and reads the packages and subscriptions
 * the accounts plugin shares. A package without a template of its own uses, when a reseller sells
 * it, the template of the reseller's own package, else the platform's (the config).
 *
 * Who may change a package's template is who may change the package: admins any, a reseller its
 * own. Anyone else's package reads as missing.
 */
import type { Actor, DatabaseService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { DnsConfig } from './config.js';
import { DnsErrors } from './errors.js';
import type { RecordPolicy } from './records.js';
import { checkTemplate, platformTemplate, resolveTemplate, valuesFor, type TemplateRecord } from './template.js';

/** Where a package's template comes from. */
export type TemplateSource = 'package' | 'reseller' | 'platform';

export interface TemplateRow {
  package_id: string;
  records: TemplateRecord[];
  updated_at: Date;
}

interface PackageRef {
  id: string;
  owner_id: string | null;
}

/** Subscription statuses whose package counts as the user's own ("live"). */
const LIVE = ['pending', 'active', 'suspended'];

export interface EffectiveTemplate {
  source: TemplateSource;
  records: TemplateRecord[];
  updatedAt: Date | null;
}

export class PackageTemplates {
  constructor(
    private readonly db: DatabaseService,
    private readonly config: () => DnsConfig,
  ) {}

  private get policy(): RecordPolicy {
    const c = this.config();
    return { minTtl: c.minTtl, maxTtl: c.maxTtl, allowReservedTlds: c.allowReservedTlds };
  }

  private table(trx?: Knex.Transaction) {
    return this.db.table<TemplateRow>('package_templates', trx);
  }

  /** A package the actor may change the template of; 404 otherwise (foreign ids read as missing). */
  async ownedPackage(actor: Actor, packageId: string, trx?: Knex.Transaction): Promise<PackageRef> {
    const row = (await (trx ?? this.db.knex)
      .from('plugin_accounts.packages')
      .where({ id: packageId })
      .first('id', 'owner_id')) as PackageRef | undefined;
    if (!row || (actor.role !== 'super_admin' && row.owner_id !== actor.userId)) throw DnsErrors.packageNotFound(packageId);
    return row;
  }

  /** The package of the user's newest live subscription (a customer's, or a reseller's own). */
  async packageOfUser(userId: string, trx?: Knex.Transaction): Promise<string | null> {
    const row = (await (trx ?? this.db.knex)
      .from('plugin_accounts.subscriptions')
      .where({ customer_id: userId })
      .whereIn('status', LIVE)
      .orderBy('created_at', 'desc')
      .first('package_id')) as { package_id: string } | undefined;
    return row?.package_id ?? null;
  }

  async packageOfSubscription(subscriptionId: string, trx?: Knex.Transaction): Promise<string | null> {
    const row = (await (trx ?? this.db.knex)
      .from('plugin_accounts.subscriptions')
      .where({ id: subscriptionId })
      .first('package_id')) as { package_id: string } | undefined;
    return row?.package_id ?? null;
  }

  /** The template a package's zones start from: its own, its reseller's package's, or the platform's. */
  async effective(packageId: string | null, trx?: Knex.Transaction): Promise<EffectiveTemplate> {
    if (packageId) {
      const own = (await this.table(trx).where({ package_id: packageId }).first()) as TemplateRow | undefined;
      if (own) return { source: 'package', records: own.records, updatedAt: own.updated_at };
      const pkg = (await (trx ?? this.db.knex).from('plugin_accounts.packages').where({ id: packageId }).first('owner_id')) as
        { owner_id: string | null } | undefined;
      const resellerPackage = pkg?.owner_id ? await this.packageOfUser(pkg.owner_id, trx) : null;
      if (resellerPackage) {
        const inherited = (await this.table(trx).where({ package_id: resellerPackage }).first()) as TemplateRow | undefined;
        if (inherited) return { source: 'reseller', records: inherited.records, updatedAt: null };
      }
    }
    return { source: 'platform', records: platformTemplate(this.config()), updatedAt: null };
  }

  /** Set a package's own template after checking it with the records API's rules. */
  async put(actor: Actor, packageId: string, records: TemplateRecord[]): Promise<EffectiveTemplate> {
    const config = this.config();
    // Stored as given (placeholders kept), without keys the API did not take.
    const clean = records.map((r) => ({
      name: r.name,
      type: r.type.toUpperCase(),
      ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
      data: r.data,
    }));
    return this.db.transaction(async (trx) => {
      // Whose package first: another reseller's reads as missing, whatever the records hold.
      await this.ownedPackage(actor, packageId, trx);
      checkTemplate(records, this.policy, config.defaultTtl, config.maxRecordsPerZone);
      const [row] = (await this.table(trx)
        .insert({ package_id: packageId, records: JSON.stringify(clean) as unknown as TemplateRecord[] })
        .onConflict('package_id')
        .merge({ records: JSON.stringify(clean) as unknown as TemplateRecord[], updated_at: trx.fn.now() as unknown as Date })
        .returning('*')) as TemplateRow[];
      return { source: 'package', records: (row as TemplateRow).records, updatedAt: (row as TemplateRow).updated_at };
    });
  }

  /** Drop a package's own template: it inherits again. */
  async remove(actor: Actor, packageId: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.ownedPackage(actor, packageId, trx);
      await this.table(trx).where({ package_id: packageId }).delete();
    });
  }

  /** The records the package's template gives the zone `domain`. */
  async resolve(packageId: string | null, domain: string, trx?: Knex.Transaction) {
    const template = await this.effective(packageId, trx);
    const config = this.config();
    return {
      source: template.source,
      ...resolveTemplate(template.records, valuesFor(config, domain), this.policy, config.defaultTtl),
    };
  }

  /** Templates of packages that no longer exist (the accounts plugin deleted them). */
  async pruneOrphans(): Promise<number> {
    return this.table().whereNotIn('package_id', this.db.knex.from('plugin_accounts.packages').select('id')).delete();
  }
}
