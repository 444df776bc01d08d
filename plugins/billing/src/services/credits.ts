/**
 * A customer's credit balance with one issuer in one currency (docs/decisions/0034): a row in
 * `credit_balances` that a `check (balance >= 0)` keeps from going negative, and an append-only
 * `credit_ledger` saying why it moved. Every change locks the balance row (an upsert, or
 * `select … for update`) inside the caller's transaction, so parallel spends of one balance are
 * serialised and the second sees what the first left.
 */
import type { Knex } from 'knex';
import { BillingErrors } from '../errors.js';
import { n, type BillingStore } from './store.js';

export type LedgerKind = 'grant' | 'adjustment' | 'overpayment' | 'refund' | 'applied' | 'proration';

export interface CreditKey {
  customerId: string;
  issuer: string;
  currency: string;
}

export interface LedgerEntry {
  id: string;
  customerId: string;
  issuer: string;
  currency: string;
  amount: number;
  balanceAfter: number;
  kind: LedgerKind;
  invoiceId: string | null;
  creditNoteId: string | null;
  note: string | null;
  createdAt: string;
}

export interface CreditMove extends CreditKey {
  /** Minor units; positive adds credit, negative spends it. */
  amount: number;
  kind: LedgerKind;
  invoiceId?: string | null;
  creditNoteId?: string | null;
  note?: string | null;
  createdBy?: string | null;
}

export class Credits {
  constructor(private readonly store: BillingStore) {}

  /** The balance now (0 when there never was one). */
  async balance(key: CreditKey, trx?: Knex.Transaction, lock = false): Promise<number> {
    const q = this.store.db
      .table('credit_balances', trx)
      .where({ customer_id: key.customerId, issuer: key.issuer, currency: key.currency });
    if (lock) q.forUpdate();
    const row = await q.first('balance');
    return row ? n(row.balance as string) : 0;
  }

  /**
   * Move the balance by `amount` and write the ledger entry, in `trx`. Spending more than is
   * there throws `BILLING_ERR_CREDIT_INSUFFICIENT` (the check constraint would refuse it too).
   */
  async move(trx: Knex.Transaction, move: CreditMove): Promise<number> {
    if (!Number.isSafeInteger(move.amount) || move.amount === 0) throw new RangeError('a credit move is a non-zero whole amount');
    const schema = this.store.db.schema;
    let after: number;
    if (move.amount > 0) {
      // An upsert locks the row (or creates it) until commit.
      const { rows } = await trx.raw<{ rows: Array<{ balance: string }> }>(
        `insert into ${schema}.credit_balances (customer_id, issuer, currency, balance) values (?, ?, ?, ?)
         on conflict (customer_id, issuer, currency)
         do update set balance = credit_balances.balance + excluded.balance, updated_at = now()
         returning balance`,
        [move.customerId, move.issuer, move.currency, move.amount],
      );
      after = n(rows[0]!.balance);
    } else {
      const current = await this.balance(move, trx, true);
      if (current + move.amount < 0) throw BillingErrors.creditInsufficient(current);
      after = current + move.amount;
      await this.store.db
        .table('credit_balances', trx)
        .where({ customer_id: move.customerId, issuer: move.issuer, currency: move.currency })
        .update({ balance: after, updated_at: trx.fn.now() });
    }
    await this.store.db.table('credit_ledger', trx).insert({
      customer_id: move.customerId,
      issuer: move.issuer,
      currency: move.currency,
      amount: move.amount,
      balance_after: after,
      kind: move.kind,
      invoice_id: move.invoiceId ?? null,
      credit_note_id: move.creditNoteId ?? null,
      note: move.note ?? null,
      created_by: move.createdBy ?? null,
    });
    return after;
  }

  /**
   * Pay what it can of a just-issued invoice from the customer's credit with its issuer, in
   * the issuing transaction: a payment of gateway `credit`, the ledger entry `applied`. Returns
   * the amount applied (0 without credit).
   */
  async applyToInvoice(trx: Knex.Transaction, invoiceId: string): Promise<number> {
    const invoice = await this.store.invoices(trx).where({ id: invoiceId }).forUpdate().first();
    if (!invoice || !['unpaid', 'overdue'].includes(invoice.status as string)) return 0;
    const due = n(invoice.total as string) - n(invoice.amount_paid as string);
    if (due <= 0) return 0;
    const key = {
      customerId: invoice.customer_id as string,
      issuer: invoice.issuer as string,
      currency: invoice.currency as string,
    };
    const available = await this.balance(key, trx, true);
    const amount = Math.min(available, due);
    if (amount <= 0) return 0;
    await this.move(trx, { ...key, amount: -amount, kind: 'applied', invoiceId, note: invoice.number as string });
    await this.store.db.table('payments', trx).insert({
      invoice_id: invoiceId,
      gateway: 'credit',
      reference: 'credit balance',
      amount,
      currency: key.currency,
    });
    const paidInFull = amount === due;
    await this.store
      .invoices(trx)
      .where({ id: invoiceId })
      .update({
        amount_paid: n(invoice.amount_paid as string) + amount,
        ...(paidInFull ? { status: 'paid', paid_at: trx.fn.now() } : {}),
        updated_at: trx.fn.now(),
      });
    return amount;
  }

  /** Balances of one customer, every issuer and currency. */
  async balancesOf(customerId: string): Promise<Array<{ issuer: string; currency: string; balance: number }>> {
    const rows: Array<Record<string, unknown>> = await this.store.db
      .table('credit_balances')
      .where({ customer_id: customerId })
      .orderBy(['issuer', 'currency']);
    return rows.map((r) => ({ issuer: r.issuer as string, currency: r.currency as string, balance: n(r.balance as string) }));
  }

  /** The newest ledger entries of one customer. */
  async ledgerOf(customerId: string, limit: number): Promise<LedgerEntry[]> {
    const rows: Array<Record<string, unknown>> = await this.store.db
      .table('credit_ledger')
      .where({ customer_id: customerId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map((r) => ({
      id: r.id as string,
      customerId: r.customer_id as string,
      issuer: r.issuer as string,
      currency: r.currency as string,
      amount: n(r.amount as string),
      balanceAfter: n(r.balance_after as string),
      kind: r.kind as LedgerKind,
      invoiceId: (r.invoice_id as string | null) ?? null,
      creditNoteId: (r.credit_note_id as string | null) ?? null,
      note: (r.note as string | null) ?? null,
      createdAt: (r.created_at as Date).toISOString(),
    }));
  }
}
