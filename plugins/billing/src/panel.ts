/**
 * Billing's panel pages, as data the panel renders with its generic table and form (forms post
 * without JavaScript). Invoice detail, paying and downloads need row actions the generic pages do
 * not have yet: the API serves them (`/v1/invoices/:id`, `/pay`, `/download`).
 */
import type { PanelPageDefinition } from '@hostplane/sdk';
import { NewCouponBody } from './routes/coupons.js';

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
          { field: 'number', label: 'Number' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'issuerName', label: 'From' },
          { field: 'issueDate', label: 'Issued', format: 'date' },
          { field: 'dueDate', label: 'Due', format: 'date' },
          { field: 'total', label: 'Total', format: 'money', currencyField: 'currency' },
          { field: 'amountDue', label: 'Left to pay', format: 'money', currencyField: 'currency' },
          { field: 'amountRefunded', label: 'Refunded', format: 'money', currencyField: 'currency' },
        ],
        empty: 'No invoices yet: they are issued when a subscription falls due.',
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
          { field: 'amount', label: 'Amount', format: 'money', currencyField: 'currency' },
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
];
