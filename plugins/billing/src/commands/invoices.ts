/** `hostplane invoices list|show|mark-paid|void|refund`: the platform's view, through the API's functions. */
import type { CommandDefinition, UsersService } from '@hostplane/sdk';
import { BillingErrors } from '../errors.js';
import { invoiceView, type InvoiceService } from '../services/invoices.js';
import { formatMoney } from '../services/money.js';
import type { InvoiceRow } from '../services/store.js';
import type { Refunds } from '../services/refunds.js';
import { CLI_SOURCE, parse, PLATFORM, table, UsageError, withUsage } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = ['draft', 'unpaid', 'paid', 'overdue', 'void', 'refunded', 'partially_refunded'];

/** An invoice by id, or by number (numbers repeat across issuers: then the id is needed). */
async function find(invoices: InvoiceService, ref: string): Promise<InvoiceRow> {
  if (UUID.test(ref)) return invoices.get(PLATFORM, ref);
  const rows = (await invoices.scoped(PLATFORM).where('number', ref)) as InvoiceRow[];
  if (rows.length > 1) throw new UsageError(`${rows.length} issuers have an invoice ${ref}; name it by id`);
  if (!rows[0]) throw BillingErrors.notFound(ref);
  return rows[0];
}

const line = (v: ReturnType<typeof invoiceView>) => ({
  number: v.number,
  status: v.status,
  customer: v.customerId,
  issuer: v.issuerName,
  total: formatMoney(v.total, v.currency),
  due: v.dueDate,
  id: v.id,
});

export function invoiceCommands(deps: {
  invoices: InvoiceService;
  users: UsersService;
  refunds: Refunds;
}): CommandDefinition<unknown, unknown>[] {
  const { invoices, users, refunds } = deps;
  return [
    {
      group: 'invoices',
      name: 'list',
      description: 'List invoices (newest first)',
      usage: '[--status S] [--customer EMAIL|ID] [--overdue] [--limit N] [--json]',
      run: (args, io) =>
        withUsage(io, 'hostplane invoices list [--status S] [--customer EMAIL|ID] [--overdue] [--limit N] [--json]', async () => {
          const { values } = parse(args, {
            status: { type: 'string' },
            customer: { type: 'string' },
            overdue: { type: 'boolean' },
            limit: { type: 'string' },
          });
          const status = values.status as string | undefined;
          if (status !== undefined && !STATUSES.includes(status))
            throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
          const limit = values.limit === undefined ? 50 : Number(values.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
            throw new UsageError('--limit must be a whole number from 1 to 1000');
          let customerId: string | undefined;
          if (typeof values.customer === 'string') {
            const user = UUID.test(values.customer) ? await users.get(values.customer) : await users.getByEmail(values.customer);
            if (!user) throw new UsageError(`no user ${values.customer}`);
            customerId = user.id;
          }
          const { items } = await invoices.list(
            { ...PLATFORM, permissions: new Set() } as never,
            {
              ...(status ? { status: status as InvoiceRow['status'] } : {}),
              ...(customerId ? { customerId } : {}),
              ...(values.overdue ? { overdue: true } : {}),
              page: 1,
              limit,
            },
            new Date().toISOString().slice(0, 10),
          );
          io.out(
            values.json
              ? JSON.stringify(items, null, 2)
              : table(items.map(line), ['number', 'status', 'customer', 'issuer', 'total', 'due', 'id']),
          );
          return 0;
        }),
    },
    {
      group: 'invoices',
      name: 'show',
      description: 'One invoice with its lines, taxes and payments',
      usage: '<id|number> [--json]',
      run: (args, io) =>
        withUsage(io, 'hostplane invoices show <id|number> [--json]', async () => {
          const { values, positionals } = parse(args, {});
          if (positionals.length !== 1) throw new UsageError('name exactly one invoice');
          const detail = await invoices.detail(await find(invoices, positionals[0]!));
          if (values.json) io.out(JSON.stringify(detail, null, 2));
          else {
            io.out(table([line(detail)], ['number', 'status', 'customer', 'issuer', 'total', 'due', 'id']));
            io.out(
              table(
                detail.lines.map((l) => ({
                  description: l.description,
                  amount: formatMoney(l.amount, detail.currency),
                  tax: `${l.taxName} ${l.taxRateBp / 100} %`,
                })),
                ['description', 'amount', 'tax'],
              ),
            );
            io.out(
              `subtotal ${formatMoney(detail.subtotal, detail.currency)}, tax ${formatMoney(detail.taxTotal, detail.currency)}, total ${formatMoney(detail.total, detail.currency)}, paid ${formatMoney(detail.amountPaid, detail.currency)}`,
            );
          }
          return 0;
        }),
    },
    {
      group: 'invoices',
      name: 'mark-paid',
      description: 'Record a bank transfer on an invoice, with its reference',
      usage: '<id|number> --reference TEXT [--amount MINOR_UNITS] [--json]',
      run: (args, io) =>
        withUsage(io, 'hostplane invoices mark-paid <id|number> --reference TEXT [--amount MINOR_UNITS] [--json]', async () => {
          const { values, positionals } = parse(args, { reference: { type: 'string' }, amount: { type: 'string' } });
          if (positionals.length !== 1) throw new UsageError('name exactly one invoice');
          const reference = values.reference;
          if (typeof reference !== 'string' || reference.trim() === '') throw new UsageError('--reference is required');
          let amount: number | undefined;
          if (values.amount !== undefined) {
            amount = Number(values.amount);
            if (!/^[0-9]+$/.test(String(values.amount)) || !Number.isSafeInteger(amount) || amount < 1)
              throw new UsageError('--amount must be a whole number of minor units above 0');
          }
          const row = await find(invoices, positionals[0]!);
          const paid = await invoices.recordPayment(
            null,
            row.id,
            { gateway: 'manual', reference: reference.trim(), ...(amount ? { amount } : {}) },
            CLI_SOURCE,
          );
          const view = invoiceView(paid);
          io.out(
            values.json
              ? JSON.stringify(view, null, 2)
              : `invoice ${view.number} is ${view.status} (paid ${formatMoney(view.amountPaid, view.currency)} of ${formatMoney(view.total, view.currency)})`,
          );
          return 0;
        }),
    },
    {
      group: 'invoices',
      name: 'void',
      description: 'Void an issued invoice nothing was paid on',
      usage: '<id|number> [--reason TEXT] [--json]',
      run: (args, io) =>
        withUsage(io, 'hostplane invoices void <id|number> [--reason TEXT] [--json]', async () => {
          const { values, positionals } = parse(args, { reason: { type: 'string' } });
          if (positionals.length !== 1) throw new UsageError('name exactly one invoice');
          const reason = typeof values.reason === 'string' ? values.reason.trim() : undefined;
          if (reason !== undefined && (reason.length === 0 || reason.length > 500))
            throw new UsageError('--reason: 1 to 500 characters');
          const row = await find(invoices, positionals[0]!);
          const view = invoiceView(await invoices.void(null, row.id, reason, CLI_SOURCE));
          io.out(values.json ? JSON.stringify(view, null, 2) : `invoice ${view.number} is void`);
          return 0;
        }),
    },
    {
      group: 'invoices',
      name: 'refund',
      description: 'Refund a paid invoice (all or part) under a credit note: through its gateway, or to credit',
      usage: '<id|number> [--amount MINOR_UNITS] [--reason TEXT] [--to-credit] [--json]',
      run: (args, io) =>
        withUsage(
          io,
          'hostplane invoices refund <id|number> [--amount MINOR_UNITS] [--reason TEXT] [--to-credit] [--json]',
          async () => {
            const { values, positionals } = parse(args, {
              amount: { type: 'string' },
              reason: { type: 'string' },
              'to-credit': { type: 'boolean' },
            });
            if (positionals.length !== 1) throw new UsageError('name exactly one invoice');
            let amount: number | undefined;
            if (values.amount !== undefined) {
              amount = Number(values.amount);
              if (!/^[0-9]+$/.test(String(values.amount)) || !Number.isSafeInteger(amount) || amount < 1)
                throw new UsageError('--amount must be a whole number of minor units above 0');
            }
            const reason = typeof values.reason === 'string' ? values.reason.trim() : undefined;
            // eslint-disable-next-line no-control-regex -- control characters are what is refused
            if (reason !== undefined && !/^[^\u0000-\u001f\u007f]{1,500}$/.test(reason))
              throw new UsageError('--reason: one line of 1 to 500 characters');
            const row = await find(invoices, positionals[0]!);
            const result = await refunds.refund(
              null,
              row.id,
              {
                ...(amount ? { amount } : {}),
                ...(reason ? { reason } : {}),
                to: values['to-credit'] ? 'credit' : 'original',
              },
              CLI_SOURCE,
            );
            const view = invoiceView(result.invoice);
            io.out(
              values.json
                ? JSON.stringify({ ...result, invoice: view }, null, 2)
                : `credit note ${result.creditNote.number} of ${formatMoney(result.creditNote.total, view.currency)}; ` +
                    `invoice ${view.number} is ${view.status}\n` +
                    table(
                      result.refunds.map((r) => ({ ...r, amount: formatMoney(r.amount, view.currency) })),
                      ['gateway', 'amount', 'status'],
                    ),
            );
            return 0;
          },
        ),
    },
  ];
}
