/** The pdns.conf of managed mode: gpgsql backend, DNS on the configured port, the API on loopback. */
import type { PdnsDatabase } from '../services/database.js';

export interface PdnsConfInput {
  socketDir: string;
  listenAddress: string;
  dnsPort: number;
  apiPort: number;
  apiKey: string;
  database: PdnsDatabase;
}

/** Values come from the config schema (patterns) or are generated hex; a newline would end a setting. */
function value(v: string | number): string {
  const s = String(v);
  if (/[\r\n\0]/.test(s)) throw new Error('pdns.conf values cannot hold line breaks');
  return s;
}

export function renderPdnsConf(c: PdnsConfInput): string {
  const lines: [string, string | number][] = [
    ['launch', 'gpgsql'],
    ['gpgsql-host', c.database.host],
    ['gpgsql-port', c.database.port],
    ['gpgsql-dbname', c.database.name],
    ['gpgsql-user', c.database.user],
    ['gpgsql-password', c.database.password],
    ['gpgsql-dnssec', 'yes'],
    ['local-address', c.listenAddress],
    ['local-port', c.dnsPort],
    ['socket-dir', c.socketDir],
    ['guardian', 'no'],
    ['daemon', 'no'],
    ['write-pid', 'yes'],
    ['disable-syslog', 'yes'],
    ['log-timestamp', 'yes'],
    ['loglevel', 4],
    ['api', 'yes'],
    ['api-key', c.apiKey],
    ['webserver', 'yes'],
    ['webserver-address', '127.0.0.1'],
    ['webserver-port', c.apiPort],
    ['webserver-allow-from', '127.0.0.1,::1'],
    // Answers straight from the database: a change is visible to the next query.
    ['query-cache-ttl', 0],
    ['negquery-cache-ttl', 0],
    ['cache-ttl', 0],
    ['dnssec-key-cache-ttl', 0],
    ['domain-metadata-cache-ttl', 0],
    ['zone-cache-refresh-interval', 0],
    ['consistent-backends', 'yes'],
  ];
  return `# Written by the dns-powerdns plugin; changes are overwritten at its next start.\n${lines
    .map(([k, v]) => `${k}=${value(v)}`)
    .join('\n')}\n`;
}
