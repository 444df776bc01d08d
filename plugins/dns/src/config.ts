import { Type, type Static } from '@hostplane/sdk';

const Host = Type.String({ pattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$', maxLength: 253 });

/** Config an admin changes with `hostplane plugins config set dns key=value`. */
export const DnsConfig = Type.Object(
  {
    provider: Type.String({
      title: 'DNS provider',
      default: '',
      maxLength: 64,
      pattern: '^[a-z0-9-]*$',
      description: 'Id of the provider that serves zones (powerdns, rfc2136); empty: the first one enabled',
    }),
    nameservers: Type.Array(Host, {
      title: 'Name servers',
      default: ['ns1.hostplane.test', 'ns2.hostplane.test'],
      minItems: 1,
      maxItems: 8,
      description: "Every zone's apex NS records; the first is the SOA's primary",
    }),
    hostmaster: Type.String({
      title: 'Hostmaster',
      default: '',
      maxLength: 253,
      pattern: '^$|^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$',
      description: 'SOA contact as a host name (hostmaster.example.net); empty: hostmaster.<zone>',
    }),
    defaultTtl: Type.Integer({ title: 'Default TTL', default: 3600, minimum: 30, maximum: 604_800 }),
    minTtl: Type.Integer({ title: 'Lowest TTL', default: 60, minimum: 1, maximum: 86_400 }),
    maxTtl: Type.Integer({ title: 'Highest TTL', default: 604_800, minimum: 60, maximum: 2_147_483_647 }),
    soaRefresh: Type.Integer({ default: 10_800, minimum: 60, maximum: 2_419_200 }),
    soaRetry: Type.Integer({ default: 3600, minimum: 60, maximum: 2_419_200 }),
    soaExpire: Type.Integer({ default: 1_209_600, minimum: 3600, maximum: 2_419_200 }),
    soaMinimum: Type.Integer({ title: 'Negative TTL', default: 300, minimum: 1, maximum: 86_400 }),
    maxRecordsPerZone: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
    serverIpv4: Type.String({
      title: 'Server IPv4',
      default: '',
      pattern: '^$|^[0-9]{1,3}(\\.[0-9]{1,3}){3}$',
      description: 'Template: where A records of a new zone point (empty: none)',
    }),
    serverIpv6: Type.String({
      title: 'Server IPv6',
      default: '',
      pattern: '^$|^[0-9a-fA-F:.]{2,45}$',
      description: 'Template: where AAAA records of a new zone point (empty: none)',
    }),
    templateMail: Type.Boolean({
      title: 'Template mail records',
      default: true,
      description: 'Template: MX to mail.<zone>, with mail.<zone> at the server',
    }),
    templateSpf: Type.String({
      title: 'Template SPF',
      default: 'v=spf1 a mx -all',
      maxLength: 1000,
      pattern: '^[\\x20-\\x7e]*$',
    }),
    templateDmarc: Type.String({
      title: 'Template DMARC',
      default: 'v=DMARC1; p=none',
      maxLength: 1000,
      pattern: '^[\\x20-\\x7e]*$',
    }),
    zonesForWebsites: Type.Boolean({
      title: 'Zones for new websites',
      default: true,
      description: "On website.created, make the site's zone from the template when nobody else's zone covers it",
    }),
    allowReservedTlds: Type.Boolean({ default: false, description: 'Allow zones under .test and .example (demos and tests)' }),
    sweepCron: Type.String({ default: '* * * * *', maxLength: 100 }),
  },
  { additionalProperties: false },
);

export type DnsConfig = Static<typeof DnsConfig>;
