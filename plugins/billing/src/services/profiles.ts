/**
 * Billing profiles: the address and tax details a customer is invoiced with (country and region
 * pick the tax rate; an EU business with a VAT id of valid format in another EU country gets
 * reverse charge). Issued invoices keep the snapshot they were made with: a change applies to
 * the next invoice only.
 */
import type { AuditService } from '@hostplane/sdk';
import { BillingErrors } from '../errors.js';
import type { BillingStore } from './store.js';
import { EU_COUNTRIES, isValidVatIdFormat, normaliseVatId } from './tax.js';

export interface BillingProfile {
  userId: string;
  address: string;
  country: string | null;
  region: string | null;
  vatId: string | null;
  isBusiness: boolean;
  /** null: never saved (the defaults apply). */
  updatedAt: string | null;
}

export type ProfileInput = Partial<Pick<BillingProfile, 'address' | 'country' | 'region' | 'vatId' | 'isBusiness'>>;

export class Profiles {
  constructor(
    private readonly store: BillingStore,
    private readonly audit: AuditService,
  ) {}

  async get(userId: string): Promise<BillingProfile> {
    const row = await this.store.db.table('billing_profiles').where({ user_id: userId }).first();
    return {
      userId,
      address: (row?.address as string | undefined) ?? '',
      country: (row?.country as string | null | undefined) ?? null,
      region: (row?.region as string | null | undefined) ?? null,
      vatId: (row?.vat_id as string | null | undefined) ?? null,
      isBusiness: (row?.is_business as boolean | undefined) ?? false,
      updatedAt: row?.updated_at ? (row.updated_at as Date).toISOString() : null,
    };
  }

  /**
   * Replace the profile (a field left out is cleared): one upsert, so two saves at once leave
   * one of them whole, never a mix.
   */
  async put(
    userId: string,
    input: ProfileInput,
    source: { actorId: string; ip?: string | null; requestId?: string | null },
  ): Promise<BillingProfile> {
    const country = input.country ?? null;
    const vatId = input.vatId ? normaliseVatId(input.vatId) : null;
    if (vatId && !country) throw BillingErrors.profileInvalid('vatId', 'a tax id needs the country it was issued in');
    if (vatId && country && EU_COUNTRIES.has(country) && !isValidVatIdFormat(vatId, country)) {
      throw BillingErrors.profileInvalid(
        'vatId',
        `not the format of a VAT id of ${country} (e.g. ${country === 'GR' ? 'EL' : country}123456789)`,
      );
    }
    const row = {
      user_id: userId,
      address: input.address?.trim() ?? '',
      country,
      region: input.region?.trim() || null,
      vat_id: vatId,
      is_business: input.isBusiness ?? false,
    };
    await this.store.db.transaction(async (trx) => {
      await this.store.db
        .table('billing_profiles', trx)
        .insert(row)
        .onConflict('user_id')
        .merge({ ...row, updated_at: trx.fn.now() });
      await this.audit.record(
        {
          action: 'billing.profile.updated',
          actorId: source.actorId,
          target: { type: 'user', id: userId },
          details: { country, region: row.region, vatId, isBusiness: row.is_business },
          ip: source.ip ?? null,
          requestId: source.requestId ?? null,
        },
        { trx },
      );
    });
    return this.get(userId);
  }
}
