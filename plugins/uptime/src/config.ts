/** Config of the uptime plugin (validated on enable and on change). */
import { Type, type Static } from '@hostplane/sdk';

export const UptimeConfig = Type.Object(
  {
    minimumIntervalMinutes: Type.Integer({
      title: 'Shortest check interval a customer may choose (minutes)',
      default: 5,
      minimum: 1,
      maximum: 60,
      description: 'Checks run every 1, 5, 15, 30 or 60 minutes; intervals below this are refused',
    }),
    maxChecksPerSite: Type.Integer({ title: 'Checks per website', default: 3, minimum: 1, maximum: 100 }),
    failuresBeforeDown: Type.Integer({
      title: 'Failed checks in a row before a website counts as down',
      default: 2,
      minimum: 1,
      maximum: 10,
      description: 'One failure alone (a lost packet, a deploy) mails nobody',
    }),
    timeoutSeconds: Type.Integer({ title: 'Time limit of one check (seconds)', default: 10, minimum: 1, maximum: 60 }),
    concurrency: Type.Integer({
      title: 'Checks at once',
      default: 16,
      minimum: 1,
      maximum: 256,
      description: 'Checks are network waits, not CPU: this bounds open connections per host process',
    }),
    connectTo: Type.String({
      title: 'Connect to (address:port)',
      default: '',
      maxLength: 300,
      pattern: '^$|^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
      description:
        "Empty: each website's domain is resolved by DNS and fetched as a visitor would. Set (e.g. 127.0.0.1:80): every check connects there, with the website's domain as Host and TLS name: the web server's own view, for servers whose domains do not resolve from inside",
    }),
    allowPrivateAddresses: Type.Boolean({
      title: 'Check domains that resolve to private addresses',
      default: false,
      description:
        "Off: a domain resolving to a loopback, private or link-local address is not fetched (a customer's DNS must not point the checker at the platform's internal services)",
    }),
    historyDays: Type.Integer({ title: 'Days of daily figures and incidents kept', default: 90, minimum: 7, maximum: 730 }),
  },
  { additionalProperties: false },
);

export type UptimeConfig = Static<typeof UptimeConfig>;

/** The intervals offered; a check's interval is one of these. */
export const INTERVALS = [1, 5, 15, 30, 60] as const;
