import { Secret, Type, type Static } from '@hostplane/sdk';

/** Config an admin changes with `hostplane plugins config set dns-powerdns key=value`. */
export const PowerDnsConfig = Type.Object(
  {
    mode: Type.Union([Type.Literal('managed'), Type.Literal('external')], {
      title: 'Mode',
      default: 'managed',
      description:
        "'managed': run our own pdns_server on a PostgreSQL database we create; 'external': use an existing PowerDNS's HTTP API",
    }),
    root: Type.String({
      title: 'Data directory',
      default: '',
      maxLength: 200,
      description: 'Managed mode: config, pidfile and log of pdns_server. Empty: <HOSTPLANE_DATA_DIR or ./.hostplane>/powerdns',
    }),
    listenAddress: Type.String({
      title: 'DNS listen address',
      default: '127.0.0.1',
      pattern: '^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)$',
      description: 'Managed mode: address pdns_server answers DNS queries on (0.0.0.0 for every IPv4 address)',
    }),
    dnsPort: Type.Integer({
      title: 'DNS port',
      default: 5300,
      minimum: 1,
      maximum: 65_535,
      description: 'Managed mode: UDP and TCP port of DNS',
    }),
    apiPort: Type.Integer({
      title: 'API port',
      default: 8081,
      minimum: 1,
      maximum: 65_535,
      description: 'Managed mode: port of the HTTP API on 127.0.0.1',
    }),
    databaseUrl: Secret(
      Type.String({
        title: 'PostgreSQL admin URL',
        default: '',
        maxLength: 500,
        description:
          'Managed mode: a role that may create databases and roles (postgres://postgres@127.0.0.1:5432/postgres); used at each start to create what is missing. Empty: managed mode waits for it',
      }),
    ),
    databaseName: Type.String({
      title: 'Database',
      default: 'hostplane_powerdns',
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      description:
        'Managed mode: database of the zones (made if absent); its owner role, of the same name, is what pdns_server logs in as',
    }),
    pdnsBinary: Type.String({ title: 'pdns_server binary', default: '/usr/sbin/pdns_server', pattern: '^/[^\\s]*$' }),
    schemaFile: Type.String({
      title: 'Schema file',
      default: '/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql',
      pattern: '^/[^\\s]*$',
      description: "Managed mode: the gpgsql schema Debian's pdns-backend-pgsql ships",
    }),
    apiUrl: Type.String({
      title: 'API URL',
      default: '',
      maxLength: 300,
      description: "External mode: PowerDNS's webserver, e.g. http://10.0.0.5:8081",
    }),
    apiKey: Secret(
      Type.String({ title: 'API key', default: '', maxLength: 300, description: 'External mode: api-key of that server' }),
    ),
    serverId: Type.String({ title: 'Server id', default: 'localhost', pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
    nameserverAddress: Type.String({
      title: 'Name server address',
      default: '',
      maxLength: 100,
      description: 'External mode: where the server answers DNS (host:port), shown in status',
    }),
  },
  { additionalProperties: false },
);

export type PowerDnsConfig = Static<typeof PowerDnsConfig>;
