/**
 * The seller's own invoicing details (docs/decisions/0017): name, address, tax id, numbering,
 * payment terms, reply-to address, logo and colour of `platform` or of a reseller, and which
 * payment gateways it has its own keys for. Issued invoices keep the snapshot they were made
 * with: a change applies to the next invoice (numbers stay one gapless sequence per issuer and
 * year whatever the prefix).
 */
import type { AuditService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import { isIsoCountry } from './countries.js';
import { logoDataUrl } from './mail-branding.js';
import type { PaymentAccounts } from './payment-accounts.js';
import { PLATFORM_ISSUER } from './payment-accounts.js';
import type { BillingStore } from './store.js';

export interface IssuerView {
  issuer: string;
  name: string;
  address: string;
  country: string | null;
  taxId: string | null;
  numberPrefix: string;
  replyTo: string | null;
  pricesIncludeTax: boolean;
  paymentTermsDays: number;
  color: string | null;
  hasLogo: boolean;
  /** Gateways this issuer has keys of its own for (the platform's are the gateway plugins' config). */
  paymentAccounts: Array<{ gateway: string; secrets: string[] }>;
  /** Gateways whose keys this issuer may store (none for the platform: its keys are the gateways' config). */
  resellerGateways: string[];
  updatedAt: string | null;
}

export interface IssuerInput {
  name: string;
  address?: string;
  country?: string;
  taxId?: string;
  numberPrefix?: string;
  replyTo?: string;
  pricesIncludeTax?: boolean;
  paymentTermsDays?: number;
  color?: string;
}

export interface ChangeSource {
  actorId: string;
  ip?: string | null;
  requestId?: string | null;
}

/** Enabled gateways that take a reseller's own keys; the platform's keys are those plugins' config. */
export type GatewayIds = () => string[];

export class Issuers {
  constructor(
    private readonly d: {
      store: BillingStore;
      audit: AuditService;
      accounts: PaymentAccounts;
      gateways: GatewayIds;
      /** The name an issuer without details of its own goes by (its user's name, or the platform's). */
      defaultName: (issuer: string) => Promise<string>;
    },
  ) {}

  async get(issuer: string): Promise<IssuerView> {
    const row = await this.d.store.db.table('issuers').where({ issuer }).first();
    const paymentAccounts: IssuerView['paymentAccounts'] = [];
    if (issuer !== PLATFORM_ISSUER)
      for (const gateway of this.d.gateways()) {
        const secrets = await this.d.accounts.names(gateway, issuer);
        if (secrets.length) paymentAccounts.push({ gateway, secrets });
      }
    return {
      issuer,
      name: (row?.name as string | undefined) ?? (await this.d.defaultName(issuer)),
      address: (row?.address as string | undefined) ?? '',
      country: (row?.country as string | null | undefined) ?? null,
      taxId: (row?.tax_id as string | null | undefined) ?? null,
      numberPrefix: (row?.number_prefix as string | undefined) ?? 'INV-',
      replyTo: (row?.reply_to as string | null | undefined) ?? null,
      pricesIncludeTax: (row?.prices_include_tax as boolean | undefined) ?? false,
      paymentTermsDays: (row?.payment_terms_days as number | undefined) ?? 14,
      color: (row?.color as string | null | undefined) ?? null,
      hasLogo: row?.logo != null,
      paymentAccounts,
      resellerGateways: issuer === PLATFORM_ISSUER ? [] : this.d.gateways(),
      updatedAt: row?.updated_at ? (row.updated_at as Date).toISOString() : null,
    };
  }

  /** Replace the details (a field left out takes its default); the logo is kept. */
  async put(issuer: string, input: IssuerInput, source: ChangeSource): Promise<IssuerView> {
    const country = input.country ?? null;
    if (country && !isIsoCountry(country))
      throw BillingErrors.issuerInvalid('country', `${country} is not an ISO 3166-1 country`);
    const row = {
      issuer,
      name: input.name.trim(),
      address: input.address?.trim() ?? '',
      country,
      tax_id: input.taxId?.trim() || null,
      number_prefix: input.numberPrefix ?? 'INV-',
      reply_to: input.replyTo?.trim().toLowerCase() || null,
      prices_include_tax: input.pricesIncludeTax ?? false,
      payment_terms_days: input.paymentTermsDays ?? 14,
      color: input.color?.toLowerCase() ?? null,
    };
    if (!row.name) throw BillingErrors.issuerInvalid('name', 'the name printed on invoices may not be blank');
    await this.d.store.db.transaction(async (trx) => {
      await this.d.store.db
        .table('issuers', trx)
        .insert(row)
        .onConflict('issuer')
        .merge({ ...row, updated_at: trx.fn.now() });
      await this.audited('billing.issuer.updated', issuer, source, { ...row, issuer: undefined }, trx);
    });
    return this.get(issuer);
  }

  /** Set (PNG or JPEG, at most 200 KB: it goes into every mail and PDF) or with null remove the logo. */
  async setLogo(issuer: string, bytes: Buffer | null, source: ChangeSource): Promise<IssuerView> {
    if (bytes && !logoDataUrl(bytes)) throw BillingErrors.issuerInvalid('content', 'a PNG or JPEG image of at most 200 KB');
    await this.d.store.db.transaction(async (trx) => {
      const exists = await this.d.store.db.table('issuers', trx).where({ issuer }).forUpdate().first('issuer');
      if (exists) await this.d.store.db.table('issuers', trx).where({ issuer }).update({ logo: bytes, updated_at: trx.fn.now() });
      else await this.d.store.db.table('issuers', trx).insert({ issuer, name: await this.d.defaultName(issuer), logo: bytes });
      await this.audited(
        bytes ? 'billing.issuer.logo-set' : 'billing.issuer.logo-removed',
        issuer,
        source,
        bytes ? { bytes: bytes.length } : {},
        trx,
      );
    });
    return this.get(issuer);
  }

  /** A reseller's own keys at a gateway (sealed); an empty object removes them. Never read back. */
  async setPaymentAccount(
    issuer: string,
    gateway: string,
    secrets: Record<string, string>,
    source: ChangeSource,
  ): Promise<IssuerView> {
    if (issuer === PLATFORM_ISSUER)
      throw BillingErrors.issuerInvalid(
        'issuer',
        "the platform's keys are the gateway plugin's config, set by an administrator there",
      );
    if (!this.d.gateways().includes(gateway))
      throw BillingErrors.issuerInvalid('gateway', `no payment gateway "${gateway}" is enabled`);
    for (const name of Object.keys(secrets))
      if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(name))
        throw BillingErrors.issuerInvalid(name, 'a key is named with letters and digits, e.g. secretKey');
    await this.d.accounts.set(gateway, issuer, secrets);
    await this.d.audit.record({
      action: Object.keys(secrets).length ? 'billing.issuer.payment-account-set' : 'billing.issuer.payment-account-removed',
      actorId: source.actorId,
      target: { type: 'user', id: issuer },
      // The names only: the values are sealed and never logged.
      details: { gateway, secrets: Object.keys(secrets).sort() },
      ip: source.ip ?? null,
      requestId: source.requestId ?? null,
    });
    return this.get(issuer);
  }

  private async audited(
    action: string,
    issuer: string,
    source: ChangeSource,
    details: Record<string, unknown>,
    trx: Knex.Transaction,
  ): Promise<void> {
    await this.d.audit.record(
      {
        action,
        actorId: source.actorId,
        target: issuer === PLATFORM_ISSUER ? { type: 'platform', id: PLATFORM_ISSUER } : { type: 'user', id: issuer },
        details,
        ip: source.ip ?? null,
        requestId: source.requestId ?? null,
      },
      { trx },
    );
  }
}
