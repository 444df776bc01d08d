/**
 * The payment methods page: a customer's saved cards, the default that automatic payments
 * charge, and a button to the gateway's hosted page to add one (the only step that needs
 * the gateway's page; everything else is a plain form post).
 */
import type { PanelPageDefinition } from '@hostplane/sdk';

const PERMISSION = 'billing.payment-method.manage';

export const PAYMENT_METHOD_PAGES: PanelPageDefinition[] = [
  {
    id: 'payment-methods',
    title: 'Payment methods',
    nav: { label: 'Payment methods', section: 'account', order: 41 },
    permission: PERMISSION,
    sections: [
      {
        kind: 'text',
        text: 'Cards you saved with your provider’s payment page. Invoices are charged to the default card when they fall due; you can still pay any invoice by hand. Card numbers are kept by the payment provider, never here.',
      },
      {
        kind: 'detail',
        source: '/billing/payment-methods',
        fields: [{ field: 'defaultLabel', label: 'Charged automatically' }],
        actions: [
          {
            label: 'Add a card',
            method: 'POST',
            route: '/billing/payment-methods',
            body: { gateway: 'stripe' },
            permission: PERMISSION,
            when: [{ field: 'canAdd', in: ['stripe'] }],
            // Stripe Checkout in setup mode: the card is typed on Stripe's page, which sends the customer back here.
            redirect: 'url',
          },
        ],
      },
      {
        kind: 'table',
        title: 'Saved',
        source: '/billing/payment-methods',
        columns: [
          { field: 'label', label: 'Method' },
          { field: 'kind', label: 'Kind' },
          { field: 'isDefault', label: 'Default' },
        ],
        empty: 'No saved payment methods: add a card, or pay an invoice by card (the card is kept).',
        actions: [
          {
            label: 'Make default',
            method: 'POST',
            route: '/billing/payment-methods/{id}/default',
            permission: PERMISSION,
            when: [{ field: 'canMakeDefault', in: [true] }],
          },
          {
            label: 'Remove',
            method: 'DELETE',
            route: '/billing/payment-methods/{id}',
            permission: PERMISSION,
            when: [{ field: 'canRemove', in: [true] }],
            confirm: 'Remove {label}? It is no longer charged; invoices are then charged to your next card, or paid by hand.',
            danger: true,
          },
        ],
      },
    ],
  },
];
