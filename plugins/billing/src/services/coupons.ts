/**
 * Coupons (docs/decisions/0035): an issuer's codes, redeemed on a subscription and taken off its
 * invoices as a `discount` line. The redemption limit holds under parallel redemptions because
 * the count moves by a conditional `update … where redemptions < max_redemptions`: PostgreSQL
 * re-checks the condition on the locked row after a concurrent update, so the N+1st waits, sees N
 * and matches nothing (and a check constraint would refuse it anyway).
 */
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import { divRound } from './money.js';
import { n, type BillingStore } from './store.js';

export interface CouponRow {
  id: string;
  issuer: string;
  code: string;
  kind: 'percent' | 'fixed';
  percent_bp: number | null;
  amount: string | number | null;
  currency: string | null;
  duration: 'once' | 'recurring';
  expires_at: Date | null;
  max_redemptions: number | null;
  redemptions: number;
  archived_at: Date | null;
  created_at: Date;
}

export interface CouponView {
  id: string;
  issuer: string;
  code: string;
  kind: 'percent' | 'fixed';
  percentBp: number | null;
  amount: number | null;
  currency: string | null;
  duration: 'once' | 'recurring';
  expiresAt: string | null;
  maxRedemptions: number | null;
  redemptions: number;
  archived: boolean;
  createdAt: string;
}

export function couponView(row: CouponRow): CouponView {
  return {
    id: row.id,
    issuer: row.issuer,
    code: row.code,
    kind: row.kind,
    percentBp: row.percent_bp,
    amount: row.amount === null ? null : n(row.amount),
    currency: row.currency?.trim() ?? null,
    duration: row.duration,
    expiresAt: row.expires_at?.toISOString() ?? null,
    maxRedemptions: row.max_redemptions,
    redemptions: row.redemptions,
    archived: row.archived_at !== null,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * What a coupon takes off `base` (the invoice's lines before it, minor units): a percentage
 * rounded half away from zero, or the fixed amount; never more than `base`, never below 0.
 */
export function discountOf(
  coupon: { kind: 'percent' | 'fixed'; percentBp?: number | null; amount?: number | null },
  base: number,
): number {
  if (!Number.isSafeInteger(base) || base <= 0) return 0;
  const off =
    coupon.kind === 'percent' ? Number(divRound(BigInt(base) * BigInt(coupon.percentBp ?? 0), 10_000n)) : (coupon.amount ?? 0);
  return Math.max(0, Math.min(off, base));
}

/** A code as stored: upper case, trimmed. */
export const normaliseCode = (code: string): string => code.trim().toUpperCase();

export interface NewCoupon {
  issuer: string;
  code: string;
  kind: 'percent' | 'fixed';
  percentBp?: number;
  amount?: number;
  currency?: string;
  duration: 'once' | 'recurring';
  expiresAt?: string;
  maxRedemptions?: number;
}

export class Coupons {
  constructor(private readonly store: BillingStore) {}

  async create(input: NewCoupon): Promise<CouponRow> {
    if (input.kind === 'percent' && (input.percentBp === undefined || input.amount !== undefined || input.currency !== undefined))
      throw BillingErrors.couponInvalid('a percent coupon has percentBp and no amount or currency');
    if (input.kind === 'fixed' && (input.amount === undefined || input.currency === undefined || input.percentBp !== undefined))
      throw BillingErrors.couponInvalid('a fixed coupon has amount and currency and no percentBp');
    const code = normaliseCode(input.code);
    const [row] = (await this.store.db
      .table('coupons')
      .insert({
        issuer: input.issuer,
        code,
        kind: input.kind,
        percent_bp: input.percentBp ?? null,
        amount: input.amount ?? null,
        currency: input.currency ?? null,
        duration: input.duration,
        expires_at: input.expiresAt ?? null,
        max_redemptions: input.maxRedemptions ?? null,
      })
      .onConflict(['issuer', 'code'])
      .ignore()
      .returning('*')) as unknown as CouponRow[];
    if (!row) throw BillingErrors.couponTaken(code);
    return row;
  }

  /** Coupons of `issuer` (all issuers for `null`: an admin's view). */
  async list(issuer: string | null, includeArchived: boolean): Promise<CouponRow[]> {
    const q = this.store.db.table('coupons').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]);
    if (issuer !== null) q.where({ issuer });
    if (!includeArchived) q.whereNull('archived_at');
    return (await q) as CouponRow[];
  }

  /** One coupon the caller manages (`issuer` null: any), or 404. */
  async get(id: string, issuer: string | null): Promise<CouponRow> {
    const q = this.store.db.table('coupons').where({ id });
    if (issuer !== null) q.andWhere({ issuer });
    const row = (await q.first()) as CouponRow | undefined;
    if (!row) throw BillingErrors.couponNotFound(id);
    return row;
  }

  /** Archived coupons redeem no more; subscriptions that hold one keep it. */
  async archive(id: string, issuer: string | null): Promise<CouponRow> {
    await this.get(id, issuer);
    const [row] = (await this.store.db
      .table('coupons')
      .where({ id })
      .update({ archived_at: this.store.db.knex.raw('coalesce(archived_at, now())') })
      .returning('*')) as unknown as CouponRow[];
    return row!;
  }

  /**
   * Redeem `code` of `issuer` on a subscription billed in `currency`, in one transaction: the
   * subscription takes the coupon (one at a time) and the redemption count moves, or neither.
   */
  async redeem(input: {
    issuer: string;
    code: string;
    subscriptionId: string;
    customerId: string;
    currency: string;
    now: Date;
  }): Promise<CouponRow> {
    const code = normaliseCode(input.code);
    return this.store.db.transaction(async (trx) => {
      const coupon = (await this.store.db
        .table('coupons', trx)
        .where({ issuer: input.issuer, code })
        .whereNull('archived_at')
        .first()) as CouponRow | undefined;
      if (!coupon) throw BillingErrors.couponUnknown(code);
      if (coupon.expires_at && coupon.expires_at.getTime() <= input.now.getTime()) throw BillingErrors.couponExpired(code);
      if (coupon.kind === 'fixed' && coupon.currency?.trim() !== input.currency)
        throw BillingErrors.couponCurrency(coupon.currency!.trim(), input.currency);
      const taken = await this.store.db
        .table('subscription_coupons', trx)
        .insert({ subscription_id: input.subscriptionId, coupon_id: coupon.id, customer_id: input.customerId })
        .onConflict('subscription_id')
        .ignore()
        .returning('subscription_id');
      if (taken.length === 0) throw BillingErrors.couponApplied();
      const [counted] = (await this.store.db
        .table('coupons', trx)
        .where({ id: coupon.id })
        .andWhere((q) => q.whereNull('max_redemptions').orWhere('redemptions', '<', trx.ref('max_redemptions')))
        .increment('redemptions', 1)
        .returning('*')) as unknown as CouponRow[];
      if (!counted) throw BillingErrors.couponUsedUp(code);
      return counted;
    });
  }

  /** Take the coupon off a subscription (its redemption stays counted). */
  async remove(subscriptionId: string): Promise<boolean> {
    return (await this.store.db.table('subscription_coupons').where({ subscription_id: subscriptionId }).delete()) > 0;
  }

  /** The coupon a subscription holds, if any and not spent. */
  async heldBy(subscriptionId: string, trx?: Knex.Transaction): Promise<CouponRow | null> {
    const row = (await this.store.db
      .table('subscription_coupons as sc', trx)
      .join('coupons as c', 'c.id', 'sc.coupon_id')
      .where('sc.subscription_id', subscriptionId)
      .andWhere((q) => q.where('c.duration', 'recurring').orWhereNull('sc.consumed_invoice_id'))
      .first('c.*')) as CouponRow | undefined;
    return row ?? null;
  }

  /**
   * The discount line of the coupon a subscription holds, for its invoice in the making
   * (`base`: its lines' sum), and whether the coupon is spent by that invoice (`once`: the
   * caller marks it with `spend` once the invoice exists). Null: no discount.
   */
  async discountLine(
    trx: Knex.Transaction,
    subscriptionId: string,
    currency: string,
    base: number,
  ): Promise<{ line: DiscountLine; once: boolean } | null> {
    const coupon = await this.heldBy(subscriptionId, trx);
    const line = coupon ? discountLineOf(coupon, currency, base) : null;
    return line ? { line, once: coupon!.duration === 'once' } : null;
  }

  /** A `once` coupon spent by `invoiceId`, in the issuing transaction. */
  async spend(trx: Knex.Transaction, subscriptionId: string, invoiceId: string): Promise<void> {
    await this.store.db
      .table('subscription_coupons', trx)
      .where({ subscription_id: subscriptionId })
      .update({ consumed_invoice_id: invoiceId });
  }
}

export interface DiscountLine {
  kind: 'discount';
  description: string;
  amount: number;
}

/**
 * The line `coupon` takes off an invoice of `base` in `currency`, or null. A fixed coupon in
 * another currency (the package changed currency) takes nothing off.
 */
export function discountLineOf(coupon: CouponRow, currency: string, base: number): DiscountLine | null {
  if (coupon.kind === 'fixed' && coupon.currency?.trim() !== currency) return null;
  const off = discountOf(
    { kind: coupon.kind, percentBp: coupon.percent_bp, amount: coupon.amount === null ? null : n(coupon.amount) },
    base,
  );
  if (off <= 0) return null;
  const what = coupon.kind === 'percent' ? `${(coupon.percent_bp ?? 0) / 100} %` : 'fixed';
  return { kind: 'discount', description: `Coupon ${coupon.code} (${what})`, amount: -off };
}
