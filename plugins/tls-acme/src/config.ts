import { Type, type Static } from '@hostplane/sdk';

/** Config an admin changes with `hostplane plugins config set tls-acme key=value`. */
export const TlsAcmeConfig = Type.Object(
  {
    directoryUrl: Type.String({
      title: 'ACME directory',
      default: 'https://acme-v02.api.letsencrypt.org/directory',
      pattern: '^https://[^\\s]+$',
      maxLength: 500,
      description: "The CA's directory URL (Let's Encrypt by default; its staging directory for trials)",
    }),
    directoryCa: Type.String({
      title: 'Directory CA (PEM)',
      default: '',
      maxLength: 20_000,
      description:
        "Extra CA certificate trusted for the directory's own HTTPS (a private or test CA such as pebble); empty: the system's",
    }),
    email: Type.String({
      title: 'Account e-mail',
      default: '',
      maxLength: 254,
      pattern: '^$|^[^\\s@]+@[^\\s@]+$',
      description: 'Contact of the ACME account (expiry notices from the CA)',
    }),
    renewBeforeDays: Type.Integer({ title: 'Renew before expiry (days)', default: 30, minimum: 1, maximum: 80 }),
    warnBeforeDays: Type.Integer({
      title: 'Warn before expiry (days)',
      default: 14,
      minimum: 1,
      maximum: 60,
      description: 'A certificate expiring within this many days emits certificate.expiring',
    }),
    maxAttempts: Type.Integer({
      title: 'Attempts per issuance',
      default: 8,
      minimum: 1,
      maximum: 50,
      description: 'Failed tries before a certificate shows failed (renewals try again at the next due sweep)',
    }),
    retryBaseSeconds: Type.Integer({
      title: 'First retry after (seconds)',
      default: 300,
      minimum: 1,
      maximum: 86_400,
      description: 'Doubles with each failure, at most a day; a longer Retry-After from the CA wins',
    }),
    dnsWaitSeconds: Type.Integer({
      title: 'DNS-01 answer wait (seconds)',
      default: 120,
      minimum: 5,
      maximum: 900,
      description: "How long an order waits for the zone's own DNS server to answer a challenge record before it fails",
    }),
    sweepCron: Type.String({ default: '*/5 * * * *', maxLength: 100, description: 'When due renewals and retries are queued' }),
    concurrency: Type.Integer({
      title: 'Orders at once',
      default: 10,
      minimum: 1,
      maximum: 100,
      description: 'ACME orders this host runs in parallel (the CA limits new orders per account)',
    }),
    autoIssue: Type.Boolean({
      title: 'Secure new websites automatically',
      default: false,
      description:
        "Order a certificate for each website the first time the web server serves it, as cPanel's AutoSSL does " +
        '(off by default: the names must point at this server first, decision 0084)',
    }),
  },
  { additionalProperties: false },
);
export type TlsAcmeConfig = Static<typeof TlsAcmeConfig>;
