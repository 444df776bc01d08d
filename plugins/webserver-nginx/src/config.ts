import { Type, type Static } from '@hostplane/sdk';

/** Config an admin changes with `hostplane plugins config set webserver-nginx key=value`. */
export const NginxConfig = Type.Object(
  {
    root: Type.String({
      title: 'Data directory',
      default: '',
      maxLength: 60,
      description:
        'Directory the plugin owns: NGINX prefix, PHP-FPM pools and every site tree. Empty: <HOSTPLANE_DATA_DIR or ./.hostplane>/webserver',
    }),
    httpPort: Type.Integer({
      title: 'HTTP port',
      default: 8080,
      minimum: 1,
      maximum: 65_535,
      description: 'Port every site listens on',
    }),
    httpsPort: Type.Integer({
      title: 'HTTPS port',
      default: 8443,
      minimum: 1,
      maximum: 65_535,
      description: 'Port sites with a certificate answer HTTPS on (NGINX binds it once a site has one)',
    }),
    listenAddress: Type.String({
      title: 'Listen address',
      default: '127.0.0.1',
      pattern: '^(\\*|[0-9]{1,3}(\\.[0-9]{1,3}){3}|\\[[0-9a-fA-F:]+\\])$',
      description: 'Address NGINX binds (* for all IPv4 addresses)',
    }),
    siteUsers: Type.Union([Type.Literal('auto'), Type.Literal('per-site'), Type.Literal('current')], {
      title: 'Site users',
      default: 'auto',
      description:
        "'per-site': a system user hp<tag>-<name> per site (needs root); 'current': everything runs as this process's user; 'auto': per-site when root",
    }),
    nginxBinary: Type.String({
      title: 'nginx binary',
      default: '/usr/sbin/nginx',
      pattern: '^/[^\\s]*$',
      description: 'Path of the nginx binary',
    }),
    phpFpmDir: Type.String({
      title: 'PHP-FPM directory',
      default: '/usr/sbin',
      pattern: '^/[^\\s]*$',
      description: 'Directory scanned for php-fpm<major.minor> binaries',
    }),
    workerProcesses: Type.Integer({
      title: 'NGINX workers',
      default: 0,
      minimum: 0,
      maximum: 256,
      description: 'NGINX workers; 0 = one per core',
    }),
    adminerPort: Type.Integer({
      title: 'Adminer port',
      default: 0,
      minimum: 0,
      maximum: 65_535,
      description:
        'Port Adminer answers on (single sign-on from the databases plugin, whose adminerTokenDir is <root>/adminer/tokens); 0: no Adminer',
    }),
    adminerScript: Type.String({
      title: 'Adminer script',
      default: '/usr/share/adminer/adminer.php',
      pattern: '^/[A-Za-z0-9._/+-]*\\.php$',
      description: 'Adminer itself (Debian package adminer)',
    }),
    logRetentionFiles: Type.Integer({
      title: 'Rotated logs kept',
      default: 48,
      minimum: 1,
      maximum: 10_000,
      description: 'Rotated access (and error) log files kept per site; older ones are deleted at each rotation',
    }),
    logRetentionMb: Type.Integer({
      title: 'Rotated logs size',
      default: 256,
      minimum: 1,
      maximum: 100_000,
      description: 'Megabytes of rotated access (and error) logs kept per site; the oldest go first',
    }),
  },
  { additionalProperties: false },
);

export type NginxConfig = Static<typeof NginxConfig>;
