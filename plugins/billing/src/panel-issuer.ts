/** The seller's "Invoicing" page: its invoicing details, and its own keys at a payment gateway. */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';
import { IssuerBody } from './routes/issuer.js';

const StripeKeys = Type.Object(
  {
    secretKey: Type.String({ title: 'Stripe secret key', minLength: 1, maxLength: 500, writeOnly: true }),
    webhookSecret: Type.String({ title: 'Stripe webhook signing secret', minLength: 1, maxLength: 500, writeOnly: true }),
  },
  { additionalProperties: false },
);

export const ISSUER_PAGES: PanelPageDefinition[] = [
  {
    id: 'issuer',
    title: 'Invoicing',
    nav: { label: 'Invoicing', section: 'account', order: 41 },
    permission: 'billing.issuer.manage',
    sections: [
      {
        kind: 'text',
        text: 'Your customers’ invoices and billing mails go out under these details. A change applies to the next invoice; issued invoices never change.',
      },
      {
        kind: 'form',
        title: 'Invoicing details',
        schema: IssuerBody,
        values: '/billing/issuer',
        submit: { method: 'PUT', route: '/billing/issuer', label: 'Save' },
      },
      {
        kind: 'table',
        title: 'Your own payment accounts',
        source: '/billing/issuer',
        field: 'paymentAccounts',
        columns: [
          { field: 'gateway', label: 'Gateway' },
          { field: 'secrets', label: 'Keys stored (names)' },
        ],
        empty: 'None: card payments of your customers are not offered until you add your Stripe keys.',
        actions: [
          {
            label: 'Remove keys',
            method: 'PUT',
            route: '/billing/issuer/payment-accounts/{gateway}',
            body: {},
            confirm: 'Remove your {gateway} keys? Your customers can no longer pay by card until you add keys again.',
            danger: true,
          },
        ],
      },
      {
        kind: 'form',
        title: 'Stripe keys',
        schema: StripeKeys,
        submit: { method: 'PUT', route: '/billing/issuer/payment-accounts/stripe', label: 'Store the keys' },
        about: '/billing/issuer',
        when: [{ field: 'resellerGateways', in: ['stripe'] }],
      },
    ],
  },
];
