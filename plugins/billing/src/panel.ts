/**
 * Billing's panel pages, as data the panel renders with its generic sections (forms post
 * without JavaScript). Buttons show only what the API would accept: each names its permission
 * and tests the invoice's `allowed` field, which the invoice route computes with the same rules
 * as the pay, mark-paid and void routes (services/invoice-actions.ts).
 */
import type { PanelPageDefinition } from '@hostplane/sdk';
import { NewCouponBody } from './routes/coupons.js';
import { MarkPaidBody } from './routes/invoices.js';
import { DraftBody, DraftLineBody } from './routes/drafts.js';
import { RefundBody } from './routes/refunds.js';
import { ProfileBody } from './routes/profiles.js';
import { TAX_RATE_PAGES } from './panel-tax-rates.js';
import { PAYMENT_METHOD_PAGES } from './panel-payment-methods.js';
import { NEXT_INVOICE_PAGES } from './panel-next-invoices.js';
import { ISSUER_PAGES } from './panel-issuer.js';

const money = (field: string, label: string) => ({ field, label, format: 'money' as const, currencyField: 'currency' });

/** Every status but draft has a PDF (rendered when issued). */
const ISSUED = ['unpaid', 'paid', 'overdue', 'void', 'refunded', 'partially_refunded'];

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'invoices',
    title: 'Invoices',
    nav: { label: 'Invoices', section: 'main', order: 33 },
    permission: 'billing.invoice.read',
    sections: [
      {
        kind: 'table',
        source: '/invoices?limit=100',
        columns: [
          { field: 'number', label: 'Number', link: '/p/billing/invoice/{id}' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'issuerName', label: 'From' },
          { field: 'issueDate', label: 'Issued', format: 'date' },
          { field: 'dueDate', label: 'Due', format: 'date' },
          money('total', 'Total'),
          money('amountDue', 'Left to pay'),
          money('amountRefunded', 'Refunded'),
        ],
        empty: 'No invoices yet: they are issued when a subscription falls due.',
      },
      {
        kind: 'form',
        title: 'New draft invoice',
        schema: DraftBody,
        choices: { customerId: { source: '/users?role=customer&limit=100', value: 'id', label: 'email' } },
        submit: { method: 'POST', route: '/invoices/drafts', label: 'Start a draft' },
        permission: 'billing.invoice.manage',
        result: { title: 'Draft started', fields: [{ field: 'status', label: 'Status' }] },
      },
    ],
  },
  {
    id: 'invoice',
    title: 'Invoice',
    pathParam: 'id',
    permission: 'billing.invoice.read',
    titleFrom: { source: '/invoices/{id}', field: 'number' },
    sections: [
      {
        kind: 'detail',
        title: 'Invoice',
        source: '/invoices/{id}',
        fields: [
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'issuerName', label: 'From' },
          { field: 'issueDate', label: 'Issued', format: 'date' },
          { field: 'dueDate', label: 'Due', format: 'date' },
          { field: 'periodStart', label: 'Period from', format: 'date' },
          { field: 'periodEnd', label: 'Period to', format: 'date' },
          money('subtotal', 'Subtotal'),
          money('taxTotal', 'Tax'),
          money('total', 'Total'),
          money('amountPaid', 'Paid'),
          money('amountRefunded', 'Refunded'),
          money('amountDue', 'Left to pay'),
          { field: 'paidAt', label: 'Paid on', format: 'date' },
          { field: 'voidReason', label: 'Void because' },
        ],
        actions: [
          {
            label: 'Pay by card',
            method: 'POST',
            route: '/invoices/{id}/pay',
            body: { gateway: 'stripe' },
            permission: 'billing.invoice.pay',
            when: [{ field: 'allowed.pay', in: ['stripe'] }],
            // Stripe Checkout: the card is typed on Stripe's page; the webhook marks the invoice paid.
            redirect: 'payment.actionUrl',
            result: { title: 'Payment', fields: [{ field: 'payment.status', label: 'Status' }] },
          },
          {
            label: 'Pay by bank transfer',
            method: 'POST',
            route: '/invoices/{id}/pay',
            body: { gateway: 'manual' },
            permission: 'billing.invoice.pay',
            when: [{ field: 'allowed.pay', in: ['manual'] }],
            result: { title: 'Bank transfer', fields: [{ field: 'payment.instructions', label: 'How to pay' }] },
          },
          {
            label: 'Issue',
            method: 'POST',
            route: '/invoices/{id}/issue',
            permission: 'billing.invoice.manage',
            when: [{ field: 'allowed.edit', in: [true] }],
            confirm: 'Issue this draft? It takes its number and is mailed to the customer; after that it never changes.',
            result: { title: 'Issued', fields: [{ field: 'number', label: 'Number' }] },
          },
          {
            label: 'Discard draft',
            method: 'DELETE',
            route: '/invoices/{id}',
            permission: 'billing.invoice.manage',
            when: [{ field: 'allowed.edit', in: [true] }],
            confirm: 'Discard this draft and its lines? It has no number yet, so no gap is left.',
            danger: true,
            next: '/p/billing/invoices',
          },
          {
            label: 'Void',
            method: 'POST',
            route: '/invoices/{id}/void',
            permission: 'billing.invoice.manage',
            when: [{ field: 'allowed.void', in: [true] }],
            confirm: 'Void invoice {number}? Its number stays used, and a void invoice cannot be paid again.',
            danger: true,
          },
        ],
        downloads: [{ label: 'Download PDF', route: '/invoices/{id}/download', when: [{ field: 'status', in: ISSUED }] }],
      },
      {
        kind: 'table',
        title: 'Lines',
        source: '/invoices/{id}',
        field: 'lines',
        columns: [
          { field: 'description', label: 'Description' },
          { field: 'quantity', label: 'Quantity' },
          money('unitAmount', 'Unit price'),
          { field: 'taxName', label: 'Tax' },
          money('amount', 'Amount'),
        ],
        empty: 'No lines.',
        actions: [
          {
            label: 'Remove',
            method: 'DELETE',
            route: '/invoices/{invoiceId}/lines/{id}',
            permission: 'billing.invoice.manage',
            // The invoice's: only a draft's lines change.
            when: [{ field: 'allowed.edit', in: [true] }],
            confirm: 'Remove the line "{description}" from this draft?',
            danger: true,
          },
        ],
      },
      {
        kind: 'table',
        title: 'Taxes',
        source: '/invoices/{id}',
        field: 'taxes',
        columns: [
          { field: 'name', label: 'Tax' },
          { field: 'rateBp', label: 'Rate (basis points)' },
          money('net', 'Net'),
          money('tax', 'Tax'),
        ],
        empty: 'No tax on this invoice.',
      },
      {
        kind: 'table',
        title: 'Payments',
        source: '/invoices/{id}',
        field: 'payments',
        columns: [
          { field: 'createdAt', label: 'Date', format: 'date' },
          { field: 'gateway', label: 'Method' },
          { field: 'reference', label: 'Reference' },
          money('amount', 'Amount'),
          money('reversed', 'Taken back by a dispute'),
        ],
        empty: 'No payments yet.',
      },
      {
        kind: 'table',
        title: 'Disputes',
        source: '/invoices/{id}',
        field: 'disputes',
        columns: [
          { field: 'openedAt', label: 'Opened', format: 'date' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'reason', label: 'Reason' },
          money('amount', 'Disputed'),
          { field: 'evidenceDueBy', label: 'Answer by', format: 'date' },
          { field: 'closedAt', label: 'Closed', format: 'date' },
          money('reversedAmount', 'Reversed'),
          money('reinstatedAmount', 'Given back'),
        ],
        empty: 'No disputes: no payment of this invoice was questioned.',
      },
      {
        kind: 'table',
        title: 'Credit notes',
        source: '/invoices/{id}',
        field: 'creditNotes',
        columns: [
          { field: 'number', label: 'Number' },
          { field: 'createdAt', label: 'Date', format: 'date' },
          { field: 'reason', label: 'Reason' },
          { field: 'settlement', label: 'Settled as' },
          money('total', 'Total'),
        ],
        empty: 'No credit notes: nothing on this invoice was corrected.',
      },
      {
        kind: 'form',
        title: 'Add a line',
        schema: DraftLineBody,
        submit: { method: 'POST', route: '/invoices/{id}/lines', label: 'Add the line' },
        permission: 'billing.invoice.manage',
        about: '/invoices/{id}',
        // Only while it is a draft: an issued invoice never changes.
        when: [{ field: 'allowed.edit', in: [true] }],
      },
      {
        kind: 'form',
        title: 'Record a bank transfer',
        schema: MarkPaidBody,
        submit: { method: 'POST', route: '/invoices/{id}/mark-paid', label: 'Mark paid' },
        permission: 'billing.invoice.manage',
        about: '/invoices/{id}',
        when: [{ field: 'allowed.markPaid', in: [true] }],
      },
      {
        kind: 'form',
        title: 'Refund',
        schema: RefundBody,
        submit: { method: 'POST', route: '/invoices/{id}/refund', label: 'Refund' },
        permission: 'billing.invoice.manage',
        about: '/invoices/{id}',
        // Issued invoices never change: the refund is a credit note, listed above once made.
        when: [{ field: 'allowed.refund', in: [true] }],
        result: {
          title: 'Refunded',
          fields: [
            { field: 'creditNote.number', label: 'Credit note' },
            { field: 'invoice.status', label: 'Invoice is now' },
          ],
        },
      },
    ],
  },
  {
    id: 'revenue',
    title: 'Revenue',
    nav: { label: 'Revenue', section: 'main', order: 35 },
    permission: 'billing.revenue.read',
    sections: [
      {
        kind: 'detail',
        title: 'This month',
        source: '/billing/revenue',
        fields: [
          { field: 'month', label: 'Month' },
          money('invoicedThisMonth', 'Invoiced'),
          money('paidThisMonth', 'Paid'),
          money('overdue', 'Overdue'),
          money('monthlyRecurring', 'Monthly recurring revenue'),
        ],
      },
      {
        kind: 'chart',
        title: 'Invoiced and paid by month',
        source: '/billing/revenue',
        x: 'month',
        series: [
          { field: 'invoicedMajor', label: 'Invoiced' },
          { field: 'paidMajor', label: 'Paid' },
        ],
      },
    ],
  },
  {
    id: 'billing-profile',
    title: 'Billing details',
    nav: { label: 'Billing details', section: 'account', order: 40 },
    permission: 'billing.profile.manage',
    sections: [
      {
        kind: 'text',
        text: 'The address and tax details your invoices are made out to. Your country (and region) decide the tax; a business in another EU country with a valid VAT id pays no VAT (reverse charge). Changes apply to your next invoice.',
      },
      {
        kind: 'form',
        title: 'Billing details',
        schema: ProfileBody,
        values: '/billing/profile',
        submit: { method: 'PUT', route: '/billing/profile', label: 'Save' },
      },
    ],
  },
  {
    id: 'coupons',
    title: 'Coupons',
    nav: { label: 'Coupons', section: 'main', order: 34 },
    permission: 'billing.coupon.manage',
    sections: [
      {
        kind: 'table',
        source: '/billing/coupons',
        columns: [
          { field: 'code', label: 'Code' },
          { field: 'kind', label: 'Kind' },
          { field: 'percentBp', label: 'Percent (basis points)' },
          money('amount', 'Amount'),
          { field: 'duration', label: 'Applies' },
          { field: 'expiresAt', label: 'Redeemable until', format: 'date' },
          { field: 'redemptions', label: 'Redeemed' },
          { field: 'maxRedemptions', label: 'Limit' },
        ],
        empty: 'No coupons yet: create one below; customers redeem its code on a subscription.',
      },
      {
        kind: 'form',
        title: 'New coupon',
        schema: NewCouponBody,
        submit: { method: 'POST', route: '/billing/coupons', label: 'Create' },
      },
    ],
  },
  ...TAX_RATE_PAGES,
  ...PAYMENT_METHOD_PAGES,
  ...NEXT_INVOICE_PAGES,
  ...ISSUER_PAGES,
];
