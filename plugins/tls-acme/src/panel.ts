/** Panel page (data): every website's certificate, and "renew now" by domain (works without JavaScript). */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'certificates',
    title: 'Certificates',
    nav: { label: 'Certificates', section: 'main', order: 35 },
    permission: 'tls.certificate.read',
    sections: [
      {
        kind: 'table',
        source: '/tls-acme/certificates',
        columns: [
          { field: 'domain', label: 'Website' },
          { field: 'state', label: 'State', format: 'status' },
          { field: 'issuer', label: 'Issuer' },
          { field: 'wildcardFrom', label: 'Wildcard of' },
          { field: 'notAfter', label: 'Expires', format: 'date' },
          { field: 'daysLeft', label: 'Days left' },
          { field: 'lastError', label: 'Last error' },
        ],
        empty: 'No websites yet: create one, then order its certificate below.',
      },
      {
        kind: 'form',
        title: 'Renew now',
        schema: Type.Object(
          {
            domain: Type.String({ title: 'Website domain', minLength: 1, maxLength: 253, description: 'shop.example.com' }),
            wildcard: Type.Optional(
              Type.Boolean({
                title: 'Wildcard (*.domain)',
                description: 'Through DNS-01: the domain’s zone must be yours on this platform’s DNS',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        submit: { method: 'POST', route: '/tls-acme/renewals', label: 'Order certificate' },
      },
    ],
  },
];
