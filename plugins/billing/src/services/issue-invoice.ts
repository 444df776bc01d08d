/**
 * Issuing an invoice: its lines taxed, its totals, its number. A run issues thousands, and each
 * round trip to PostgreSQL counts (bench/billing-run.ts), so the writes are few statements:
 * lines and tax groups in one, the number and the issued state in another, and for a
 * subscription's invoice the draft row with its lines and taxes in one. Each is a named (prepared)
 * statement: planning the CTEs anew took a third of their time.
 */
import type { Knex } from 'knex';
import { invoiceTotals } from './money.js';
import { addDays } from './periods.js';
import type { BillingStore } from './store.js';
import type { IssuerSettings } from './invoicing.js';

/** What an invoice says, before it is written. */
export interface IssueInput {
  settings: IssuerSettings;
  /** Issue date (`YYYY-MM-DD`). */
  date: string;
  tax: { name: string; rateBp: number };
  lines: Array<{ kind: string; description: string; amount: number; quantity?: number }>;
  customer: Record<string, unknown>;
}

/** Its lines and tax groups as rows (JSON for `json_to_recordset`), and its totals. */
interface Prepared {
  lines: string;
  taxes: string;
  totals: ReturnType<typeof invoiceTotals>;
}

function prepare(input: IssueInput): Prepared {
  const { settings, tax } = input;
  const taxed = input.lines.map((l) => ({ ...l, quantity: l.quantity ?? 1, taxName: tax.name, taxRateBp: tax.rateBp }));
  const totals = invoiceTotals(
    taxed.map((l) => ({ amount: l.amount * l.quantity, taxName: l.taxName, taxRateBp: l.taxRateBp })),
    settings.pricesIncludeTax,
  );
  return {
    lines: JSON.stringify(
      taxed.map((l, position) => ({
        position,
        kind: l.kind,
        description: l.description,
        quantity: l.quantity,
        unit_amount: l.amount,
        amount: l.amount * l.quantity,
        tax_name: l.taxName,
        tax_rate_bp: l.taxRateBp,
      })),
    ),
    taxes: JSON.stringify(totals.taxes.map((g) => ({ name: g.name, rate_bp: g.rateBp, net: g.net, tax: g.tax }))),
    totals,
  };
}

/** `insert … select` of the prepared lines and taxes for the invoice `<source>.id`. */
function linesAndTaxes(schema: string, source: string): string {
  return `lines as (
       insert into ${schema}.invoice_lines
         (invoice_id, position, kind, description, quantity, unit_amount, amount, tax_name, tax_rate_bp)
       select ${source}.id, x.position, x.kind, x.description, x.quantity, x.unit_amount, x.amount, x.tax_name, x.tax_rate_bp
         from ${source} cross join json_to_recordset(?::json) as x(position integer, kind text, description text,
              quantity integer, unit_amount bigint, amount bigint, tax_name text, tax_rate_bp integer)
       returning 1
     ), taxes as (
       insert into ${schema}.invoice_taxes (invoice_id, name, rate_bp, net, tax)
       select ${source}.id, x.name, x.rate_bp, x.net, x.tax
         from ${source} cross join json_to_recordset(?::json) as x(name text, rate_bp integer, net bigint, tax bigint)
       returning 1
     )`;
}

/**
 * Turn draft `invoiceId` into an issued invoice: lines, tax groups, totals, and the next number
 * of its issuer's year. Inside the caller's transaction, so the number exists only with the invoice.
 */
export async function issueDraft(
  trx: Knex.Transaction,
  store: BillingStore,
  invoiceId: string,
  input: IssueInput,
): Promise<string> {
  const prepared = prepare(input);
  await trx
    .raw(`with draft as (select ?::uuid as id), ${linesAndTaxes(store.db.schema, 'draft')} select 1`, [
      invoiceId,
      prepared.lines,
      prepared.taxes,
    ])
    .options({ name: 'hostplane_billing_issue_draft' });
  return assignNumber(trx, store, invoiceId, input, prepared);
}

/**
 * A subscription's invoice for one period, issued: the draft row with its lines and taxes in one
 * statement, on the partial unique index (subscription_id, period_start), then its number.
 * Null when the period's invoice exists (a second run, concurrent or later): nothing is written.
 * `between` runs after the draft exists and before it is numbered (a coupon spent by it).
 */
export async function issueSubscriptionInvoice(
  trx: Knex.Transaction,
  store: BillingStore,
  row: {
    id: string;
    issuer: string;
    customerId: string;
    subscriptionId: string;
    periodStart: string;
    periodEnd: string;
    currency: string;
    reverseCharge: boolean;
  },
  input: IssueInput,
  between?: () => Promise<void>,
): Promise<string | null> {
  const prepared = prepare(input);
  const { schema } = store.db;
  const { rows } = await trx
    .raw<{ rows: Array<{ id: string }> }>(
      `with draft as (
       insert into ${schema}.invoices
         (id, issuer, customer_id, subscription_id, period_start, period_end, currency, prices_include_tax, reverse_charge)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (subscription_id, period_start) where subscription_id is not null do nothing
       returning id
     ), ${linesAndTaxes(schema, 'draft')}
     select id from draft`,
      [
        row.id,
        row.issuer,
        row.customerId,
        row.subscriptionId,
        row.periodStart,
        row.periodEnd,
        row.currency,
        input.settings.pricesIncludeTax,
        row.reverseCharge,
        prepared.lines,
        prepared.taxes,
      ],
    )
    .options({ name: 'hostplane_billing_issue_subscription_invoice' });
  if (!rows[0]) return null;
  await between?.();
  return assignNumber(trx, store, row.id, input, prepared);
}

/**
 * The year's next number, taken with the update that gives it to the invoice, and the issued
 * state: the upsert locks the issuer's year row until commit, so numbers have no gap and no twin.
 */
async function assignNumber(
  trx: Knex.Transaction,
  store: BillingStore,
  invoiceId: string,
  input: IssueInput,
  { totals }: Prepared,
): Promise<string> {
  const { settings, date } = input;
  const { schema } = store.db;
  const year = Number(date.slice(0, 4));
  // Nothing to pay (a free package) is paid on issue.
  const paid = totals.total <= 0;
  const { rows } = await trx
    .raw<{ rows: Array<{ number: string }> }>(
      `with seq as (
       insert into ${schema}.invoice_sequences (issuer, year, last_number) values (?, ?, 1)
       on conflict (issuer, year) do update set last_number = invoice_sequences.last_number + 1
       returning last_number
     )
     update ${schema}.invoices
        set number = ? || lpad(seq.last_number::text, greatest(5, length(seq.last_number::text)), '0'),
            year = ?, sequence = seq.last_number, status = ?, paid_at = case when ?::boolean then now() else paid_at end,
            subtotal = ?, tax_total = ?, total = ?, issue_date = ?, due_date = ?,
            issuer_snapshot = ?::jsonb, customer_snapshot = ?::jsonb, updated_at = now()
       from seq
      where id = ? and status = 'draft'
      returning number`,
      [
        settings.issuer,
        year,
        `${settings.numberPrefix}${year}-`,
        year,
        paid ? 'paid' : 'unpaid',
        paid,
        totals.subtotal,
        totals.taxTotal,
        totals.total,
        date,
        addDays(date, settings.paymentTermsDays),
        JSON.stringify({ name: settings.name, address: settings.address, country: settings.country, taxId: settings.taxId }),
        JSON.stringify(input.customer),
        invoiceId,
      ],
    )
    .options({ name: 'hostplane_billing_assign_number' });
  const number = rows[0]?.number;
  if (!number) throw new Error(`invoice ${invoiceId} is not a draft: not issued`);
  return number;
}
