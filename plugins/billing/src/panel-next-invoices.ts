/**
 * The next invoices: a list of the caller's live subscriptions with what each will be invoiced
 * next, and one subscription's page with that invoice's lines. Read-only previews
 * (routes/next-invoice.ts); the subscription itself is managed on the panel's subscriptions page.
 */
import type { PanelPageDefinition } from '@hostplane/sdk';

const money = (field: string, label: string) => ({ field, label, format: 'money' as const, currencyField: 'currency' });

export const NEXT_INVOICE_PAGES: PanelPageDefinition[] = [
  {
    id: 'upcoming-invoices',
    title: 'Upcoming invoices',
    nav: { label: 'Upcoming invoices', section: 'main', order: 33 },
    permission: 'billing.invoice.read',
    sections: [
      {
        kind: 'table',
        source: '/billing/upcoming-invoices',
        columns: [
          { field: 'packageName', label: 'Subscription', link: '/p/billing/subscription/{subscriptionId}' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'issueDate', label: 'Invoiced on', format: 'date' },
          { field: 'dueDate', label: 'Due', format: 'date' },
          money('total', 'Amount'),
          { field: 'reason', label: 'Note' },
        ],
        empty: 'No active subscriptions: nothing will be invoiced.',
      },
    ],
  },
  {
    id: 'subscription',
    title: 'Subscription',
    pathParam: 'id',
    permission: 'billing.invoice.read',
    // Each subscription of the panel's core lists links here (the core page knows nothing of billing).
    linkFrom: { list: 'subscriptions', label: 'Next invoice' },
    titleFrom: { source: '/billing/subscriptions/{id}/next-invoice', field: 'packageName' },
    sections: [
      {
        kind: 'detail',
        title: 'Next invoice',
        source: '/billing/subscriptions/{id}/next-invoice',
        fields: [
          { field: 'status', label: 'Subscription', format: 'status' },
          { field: 'issueDate', label: 'Invoiced on', format: 'date' },
          { field: 'dueDate', label: 'Due', format: 'date' },
          { field: 'periodStart', label: 'Period from', format: 'date' },
          { field: 'periodEnd', label: 'Period to', format: 'date' },
          money('subtotal', 'Subtotal'),
          money('taxTotal', 'Tax'),
          money('total', 'Total'),
          money('creditAvailable', 'Your credit (pays it first)'),
          { field: 'reason', label: 'Note' },
        ],
      },
      {
        kind: 'table',
        title: 'Lines',
        source: '/billing/subscriptions/{id}/next-invoice',
        field: 'lines',
        columns: [{ field: 'description', label: 'Description' }, { field: 'taxName', label: 'Tax' }, money('amount', 'Amount')],
        empty: 'No invoice is coming for this subscription.',
      },
      {
        kind: 'text',
        text: 'A preview: a change to the package, your billing details, tax rates or coupon before the date changes the invoice too.',
      },
    ],
  },
];
