/**
 * The tax rates pages: a seller's rates with a form to add one, and one rate's page to change
 * or delete it. The forms post without JavaScript; the routes (routes/tax-rates.ts) validate.
 */
import type { PanelPageDefinition } from '@hostplane/sdk';
import { TaxRateBody } from './routes/tax-rates.js';

const PERMISSION = 'billing.tax-rate.manage';

const deleteAction = {
  label: 'Delete',
  method: 'DELETE' as const,
  route: '/billing/tax-rates/{id}',
  permission: PERMISSION,
  confirm: 'Delete the tax rate {name}? Issued invoices keep it; the next ones no longer charge it.',
  danger: true,
};

export const TAX_RATE_PAGES: PanelPageDefinition[] = [
  {
    id: 'tax-rates',
    title: 'Tax rates',
    nav: { label: 'Tax rates', section: 'main', order: 36 },
    permission: PERMISSION,
    sections: [
      {
        kind: 'text',
        text: 'The tax your invoices charge, by your customer’s country and, where it differs, region (the region as customers enter it in their billing details). A customer in a place without a rate pays no tax; an EU business with a valid VAT id in another EU country gets reverse charge. Changes apply to invoices issued from now on.',
      },
      {
        kind: 'detail',
        source: '/billing/tax-rates',
        fields: [{ field: 'pricesIncludeTax', label: 'Prices include tax' }],
      },
      {
        kind: 'table',
        source: '/billing/tax-rates',
        columns: [
          { field: 'country', label: 'Country', link: '/p/billing/tax-rate/{id}' },
          { field: 'region', label: 'Region' },
          { field: 'name', label: 'Name on invoices' },
          { field: 'rateBp', label: 'Rate (basis points)' },
        ],
        empty: 'No tax rates yet: add one below, e.g. DE, "VAT 19 %", 1900.',
        actions: [deleteAction],
      },
      {
        kind: 'form',
        title: 'New tax rate',
        schema: TaxRateBody,
        submit: { method: 'POST', route: '/billing/tax-rates', label: 'Add' },
      },
    ],
  },
  {
    id: 'tax-rate',
    title: 'Tax rate',
    pathParam: 'id',
    permission: PERMISSION,
    titleFrom: { source: '/billing/tax-rates/{id}', field: 'name' },
    sections: [
      {
        kind: 'detail',
        source: '/billing/tax-rates/{id}',
        fields: [
          { field: 'country', label: 'Country' },
          { field: 'region', label: 'Region' },
          { field: 'name', label: 'Name on invoices' },
          { field: 'rateBp', label: 'Rate (basis points)' },
          { field: 'createdAt', label: 'Added', format: 'date' },
        ],
        actions: [deleteAction],
      },
      {
        kind: 'form',
        title: 'Change',
        schema: TaxRateBody,
        values: '/billing/tax-rates/{id}',
        submit: { method: 'PUT', route: '/billing/tax-rates/{id}', label: 'Save' },
      },
    ],
  },
];
