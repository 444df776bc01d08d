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

/** The logo as a file input: the panel posts it multipart and sends the API its base64 (works without JavaScript). */
const LogoUpload = Type.Object(
  {
    content: Type.String({
      title: 'Logo file',
      description: 'A PNG or JPEG of at most 200 KB, printed on your invoices and shown in your mails',
      contentEncoding: 'base64',
      contentMediaType: 'image/*',
      maxLength: 300_000,
    }),
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
        kind: 'detail',
        title: 'Logo',
        source: '/billing/issuer',
        fields: [{ field: 'hasLogo', label: 'Logo on invoices and mails' }],
        actions: [
          {
            label: 'Remove the logo',
            method: 'DELETE',
            route: '/billing/issuer/logo',
            when: [{ field: 'hasLogo', in: [true] }],
            confirm: 'Remove your logo? The next invoices and mails go out without it; issued invoices keep theirs.',
            danger: true,
          },
        ],
      },
      {
        kind: 'form',
        title: 'Upload a logo',
        schema: LogoUpload,
        submit: { method: 'PUT', route: '/billing/issuer/logo', label: 'Upload the logo' },
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
