/** The certificate mail as a template (docs/decisions/0062), branded for the site owner's reseller or the platform. */
import { defineMailTemplate, Type } from '@hostplane/sdk';

export const certificateExpiringMail = defineMailTemplate({
  id: 'tls-acme.certificate-expiring',
  description: "Sent to the site's owner once per certificate when it enters the warning window before it expires",
  variables: Type.Object({
    site: Type.String({ maxLength: 253 }),
    domains: Type.Array(Type.String({ maxLength: 253 }), { maxItems: 100 }),
    /** `YYYY-MM-DD`, UTC. */
    expiresOn: Type.String({ maxLength: 10 }),
    daysLeft: Type.Integer(),
  }),
  sample: { site: 'example.com', domains: ['example.com', 'www.example.com'], expiresOn: '2026-12-19', daysLeft: 14 },
  render: ({ site, domains, expiresOn, daysLeft }) => ({
    subject: `The certificate of ${site} expires on ${expiresOn}`,
    blocks: [
      'Hello,',
      `the HTTPS certificate of ${site} expires in ${Math.max(daysLeft, 0)} days. After that, visitors see a security warning.`,
      {
        facts: [
          ['Names', domains.join(', ')],
          ['Expires', expiresOn],
        ],
      },
      'A certificate you uploaded is not renewed automatically: upload a renewed one. ' +
        'One the platform ordered is renewed before this point; that it was not means the last attempts failed: ' +
        "the website's certificate page shows why.",
    ],
  }),
});

export const tlsAcmeMails = [certificateExpiringMail];
