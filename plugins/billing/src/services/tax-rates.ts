/**
 * Tax rates an issuer charges: one per place (country, optionally a region of it), read by
 * `resolveTax` when an invoice is issued. Issued invoices keep the name and rate on their lines,
 * so changing or deleting a rate applies to the next invoices only.
 *
 * A place has one rate: the unique index `(issuer, country, coalesce(region, ''))` decides, so
 * two parallel creates of the same place make one row and a 409, never two rates to pick from.
 * Regions are stored trimmed and in upper case (`resolveTax` compares them so), which makes `ca`
 * and `CA` the same place.
 */
import type { AuditService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import { isIsoCountry } from './countries.js';
import type { BillingStore } from './store.js';

export interface TaxRateRow {
  id: string;
  issuer: string;
  country: string;
  region: string | null;
  name: string;
  rate_bp: number;
  created_at: Date;
}

export interface TaxRateView {
  id: string;
  issuer: string;
  country: string;
  region: string | null;
  name: string;
  rateBp: number;
  createdAt: string;
}

/** What a create or a replace carries. */
export interface TaxRateInput {
  country: string;
  region?: string | null;
  name: string;
  rateBp: number;
}

export interface AuditSource {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export function taxRateView(row: TaxRateRow): TaxRateView {
  return {
    id: row.id,
    issuer: row.issuer,
    country: row.country.trim(),
    region: row.region,
    name: row.name,
    rateBp: row.rate_bp,
    createdAt: row.created_at.toISOString(),
  };
}

/** The place a rate is for, as people read it: `DE`, `US-CA`. */
export const placeOf = (country: string, region: string | null): string => (region ? `${country}-${region}` : country);

/** The row to store, validated beyond the route's schema (a real country, a rate within 0–100 %). */
function normalised(input: TaxRateInput): Pick<TaxRateRow, 'country' | 'region' | 'name' | 'rate_bp'> {
  if (!isIsoCountry(input.country))
    throw BillingErrors.taxRateInvalid(
      'country',
      `"${input.country}" is not an ISO 3166-1 alpha-2 country code (e.g. DE, GB, US)`,
    );
  if (!Number.isSafeInteger(input.rateBp) || input.rateBp < 0 || input.rateBp > 10_000)
    throw BillingErrors.taxRateInvalid('rateBp', 'basis points from 0 to 10000 (1900 = 19 %)');
  const name = input.name.trim();
  if (!name) throw BillingErrors.taxRateInvalid('name', 'a name is printed on invoices, e.g. "VAT 19 %"');
  const region = input.region?.trim().toUpperCase() || null;
  return { country: input.country, region, name, rate_bp: input.rateBp };
}

const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';

export class TaxRates {
  constructor(
    private readonly store: BillingStore,
    private readonly audit: AuditService,
  ) {}

  /** The issuer's rates, by place. */
  async list(issuer: string): Promise<TaxRateRow[]> {
    return (await this.store.db
      .table('tax_rates')
      .where({ issuer })
      .orderBy([{ column: 'country' }, { column: 'region', order: 'asc', nulls: 'first' }, { column: 'id' }])) as TaxRateRow[];
  }

  /** One rate of `issuer` (null: any issuer, an administrator's view), or 404. */
  async get(id: string, issuer: string | null, trx?: Knex.Transaction): Promise<TaxRateRow> {
    const q = this.store.db.table('tax_rates', trx).where({ id });
    if (issuer !== null) q.andWhere({ issuer });
    if (trx) q.forUpdate();
    const row = (await q.first()) as TaxRateRow | undefined;
    if (!row) throw BillingErrors.taxRateNotFound(id);
    return row;
  }

  async create(issuer: string, input: TaxRateInput, source: AuditSource): Promise<TaxRateRow> {
    const values = normalised(input);
    return this.store.db.transaction(async (trx) => {
      let row: TaxRateRow | undefined;
      try {
        [row] = (await this.store.db
          .table('tax_rates', trx)
          .insert({ issuer, ...values })
          .returning('*')) as unknown as TaxRateRow[];
      } catch (err) {
        if (isUniqueViolation(err)) throw BillingErrors.taxRateTaken(placeOf(values.country, values.region));
        throw err;
      }
      await this.record(trx, 'billing.tax_rate.created', row!, source);
      return row!;
    });
  }

  /** Replace a rate's place, name and rate (a region left out is cleared). */
  async replace(id: string, issuer: string | null, input: TaxRateInput, source: AuditSource): Promise<TaxRateRow> {
    const values = normalised(input);
    return this.store.db.transaction(async (trx) => {
      const before = await this.get(id, issuer, trx);
      let row: TaxRateRow | undefined;
      try {
        [row] = (await this.store.db
          .table('tax_rates', trx)
          .where({ id })
          .update(values)
          .returning('*')) as unknown as TaxRateRow[];
      } catch (err) {
        if (isUniqueViolation(err)) throw BillingErrors.taxRateTaken(placeOf(values.country, values.region));
        throw err;
      }
      await this.record(trx, 'billing.tax_rate.updated', row!, source, {
        before: { country: before.country.trim(), region: before.region, name: before.name, rateBp: before.rate_bp },
      });
      return row!;
    });
  }

  async remove(id: string, issuer: string | null, source: AuditSource): Promise<void> {
    await this.store.db.transaction(async (trx) => {
      const row = await this.get(id, issuer, trx);
      await this.store.db.table('tax_rates', trx).where({ id }).delete();
      await this.record(trx, 'billing.tax_rate.deleted', row, source);
    });
  }

  private async record(
    trx: Knex.Transaction,
    action: string,
    row: TaxRateRow,
    source: AuditSource,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.audit.record(
      {
        action,
        actorId: source.actorId,
        target: { type: 'tax_rate', id: row.id },
        details: {
          issuer: row.issuer,
          country: row.country.trim(),
          region: row.region,
          name: row.name,
          rateBp: row.rate_bp,
          ...extra,
        },
        ip: source.ip ?? null,
        requestId: source.requestId ?? null,
      },
      { trx },
    );
  }
}
