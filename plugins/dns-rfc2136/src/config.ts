import { Type, type Static } from '@hostplane/sdk';

/** Config an admin changes with `hostplane plugins config set dns-rfc2136 key=value`. */
export const Rfc2136Config = Type.Object(
  {
    mode: Type.Union([Type.Literal('off'), Type.Literal('managed')], {
      title: 'Mode',
      default: 'off',
      description:
        "'managed': run our own BIND 9 and serve zones from it; 'off' (default): offer nothing, so PowerDNS stays the provider",
    }),
    root: Type.String({
      title: 'Data directory',
      default: '',
      maxLength: 200,
      description: 'named.conf, keys, zone files and log of the managed BIND. Empty: <HOSTPLANE_DATA_DIR or ./.hostplane>/bind',
    }),
    listenAddress: Type.String({
      default: '127.0.0.1',
      pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$',
      description: 'Address BIND answers DNS on',
    }),
    dnsPort: Type.Integer({ title: 'DNS port', default: 5301, minimum: 1, maximum: 65_535 }),
    controlPort: Type.Integer({
      title: 'rndc port',
      default: 9531,
      minimum: 1,
      maximum: 65_535,
      description: 'rndc control channel on 127.0.0.1',
    }),
    namedBinary: Type.String({ default: '/usr/sbin/named', pattern: '^/[^\\s]*$' }),
    rndcBinary: Type.String({ default: '/usr/sbin/rndc', pattern: '^/[^\\s]*$' }),
    nsupdateBinary: Type.String({ default: '/usr/bin/nsupdate', pattern: '^/[^\\s]*$' }),
    digBinary: Type.String({ default: '/usr/bin/dig', pattern: '^/[^\\s]*$' }),
  },
  { additionalProperties: false },
);

export type Rfc2136Config = Static<typeof Rfc2136Config>;
