/**
 * `coreServices.platformState`: pg_dump of the platform's database with the host's own login,
 * and a copy of the data folder's files a rebuilt server needs (decision 0073). Only the
 * kernel holds the owner login; a plugin with `platform:dump` gets the dump, never the login.
 */
import { execFile, spawn } from 'node:child_process';
import { access, constants, cp, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import {
  defineError,
  type PlatformDumpOptions,
  type PlatformDumpTool,
  type PlatformStateFiles,
  type PlatformStateService,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { SecretKeySource } from './secrets/keyring.js';

const run = promisify(execFile);

export const PlatformStateErrors = {
  pgDumpVersion: defineError(
    'PLATFORM_ERR_PG_DUMP_VERSION',
    409,
    (client: string, server: string, binary: string) =>
      `${binary} is pg_dump ${client}, which cannot dump PostgreSQL ${server}: install the client of the server's ` +
      `version (apt-get install postgresql-client-${majorOf(server) ?? server}) or set HOSTPLANE_PG_DUMP to its pg_dump`,
    (client: string, server: string, binary: string) => ({ client, server, binary }),
  ),
  pgDumpMissing: defineError(
    'PLATFORM_ERR_PG_DUMP_MISSING',
    409,
    (server: string) =>
      `no pg_dump found for PostgreSQL ${server}: apt-get install postgresql-client-${majorOf(server) ?? ''} (or set HOSTPLANE_PG_DUMP)`,
    (server: string) => ({ server }),
  ),
  dumpFailed: defineError('PLATFORM_ERR_DUMP_FAILED', 502, (reason: string) => `pg_dump failed: ${reason}`),
  tableNotOwn: defineError(
    'PLATFORM_ERR_TABLE_NOT_OWN',
    400,
    (table: string, schema: string) => `${table} is not a table of ${schema}: only a plugin's own rows may be left out`,
  ),
};

/** The major version of `15.20 (Debian …)`, `9.6.24` (→ 9) or `18devel`. */
export function majorOf(version: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  // Before 10 the major version was two numbers (9.6); pg_dump still reads them as "9".
  return major;
}

/** `pg_dump (PostgreSQL) 15.20 (Debian …)` → `15.20`. */
export function clientVersionOf(output: string): string | undefined {
  return /pg_dump \(PostgreSQL\) (\S+)/.exec(output)?.[1];
}

export interface PlatformStateDeps {
  knex: Knex;
  /** The host's own connection URL (the owner role). Holds a password: never logged or put in argv. */
  url: string;
  /** Where the key comes from and the data folder. */
  secrets: SecretKeySource | undefined;
  /** Drop-in plugin folders (the first is copied as `plugins`). */
  dropInDirs: string[];
  /** `HOSTPLANE_PG_DUMP`: the pg_dump to use instead of looking. */
  pgDump?: string;
}

async function executable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The URL without its password (for argv) and the password (for PGPASSWORD). */
function splitLogin(url: string): { dbname: string; password: string } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), password };
}

export function createPlatformState(deps: PlatformStateDeps): PlatformStateService {
  const serverVersion = async (): Promise<string> => {
    const { rows } = await deps.knex.raw<{ rows: Array<{ v: string }> }>(`select current_setting('server_version') as v`);
    return rows[0]!.v;
  };

  const dumpTool = async (): Promise<PlatformDumpTool> => {
    const server = await serverVersion();
    const serverMajor = majorOf(server)!;
    const candidates = deps.pgDump
      ? [deps.pgDump]
      : [`/usr/lib/postgresql/${serverMajor}/bin/pg_dump`, '/usr/bin/pg_dump', '/usr/local/bin/pg_dump'];
    let newestRefusal: { client: string; binary: string } | undefined;
    for (const binary of candidates) {
      if (!(await executable(binary))) continue;
      const { stdout } = await run(binary, ['--version'], { timeout: 10_000 });
      const client = clientVersionOf(stdout) ?? stdout.trim();
      const clientMajor = majorOf(client);
      // pg_dump dumps servers of its own major version and older, never newer ones.
      if (clientMajor !== undefined && clientMajor >= serverMajor)
        return { binary, clientVersion: client, serverVersion: server };
      newestRefusal ??= { client, binary };
    }
    if (newestRefusal) throw PlatformStateErrors.pgDumpVersion(newestRefusal.client, server, newestRefusal.binary);
    throw PlatformStateErrors.pgDumpMissing(server);
  };

  return {
    dumpTool,

    async dumpDatabase(out: Writable, options: PlatformDumpOptions = {}): Promise<PlatformDumpTool> {
      const tool = await dumpTool();
      const { dbname, password } = splitLogin(deps.url);
      // Only superusers read the vault of the owner's password; a rebuilt server makes its own.
      const args = ['--format=custom', '--exclude-schema=hostplane_bootstrap'];
      for (const table of options.excludeTableData ?? []) args.push(`--exclude-table-data=${table}`);
      args.push('--dbname', dbname);
      const child = spawn(tool.binary, args, {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/',
          PGPASSWORD: password,
          PGAPPNAME: 'hostplane-dump',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        if (stderr.length < 64 * 1024) stderr += chunk;
      });
      child.stdout.pipe(out, { end: false });
      const kill = () => child.kill('SIGKILL');
      options.signal?.addEventListener('abort', kill, { once: true });
      try {
        const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
          child.on('error', (err) => {
            stderr += err.message;
            resolve([127, null]);
          });
          child.on('close', (c, s) => resolve([c, s]));
        });
        if (options.signal?.aborted) throw PlatformStateErrors.dumpFailed('cancelled');
        if (code !== 0) {
          const tail = stderr.trim().split('\n').slice(-3).join(' | ');
          throw PlatformStateErrors.dumpFailed(`${tail || 'no message'} (${signal ? `killed by ${signal}` : `exit ${code}`})`);
        }
        return tool;
      } finally {
        options.signal?.removeEventListener('abort', kill);
        child.stdout.unpipe(out);
      }
    },

    async copyState(into: string): Promise<PlatformStateFiles> {
      const source = deps.secrets;
      const keyOrigin: PlatformStateFiles['keyOrigin'] =
        !source || source.ephemeral || (!source.key && !source.dataDir) ? 'ephemeral' : source.key ? 'env' : 'file';
      const names: string[] = [];
      if (keyOrigin === 'file') {
        await cp(path.join(source!.dataDir!, 'secret.key'), path.join(into, 'secret.key'), { preserveTimestamps: true });
        names.push('secret.key');
      }
      const plugins = deps.dropInDirs[0];
      if (plugins && (await stat(plugins).catch(() => null))?.isDirectory()) {
        await cp(plugins, path.join(into, 'plugins'), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
        names.push('plugins');
      }
      return { names, keyOrigin };
    },
  };
}

/** The service as one plugin sees it: it may leave out rows of its own schema's tables only. */
export function platformStateFor(service: PlatformStateService, schema: string): PlatformStateService {
  const own = new RegExp(`^${schema}\\.[a-z_][a-z0-9_]{0,62}$`);
  return {
    dumpTool: () => service.dumpTool(),
    copyState: (into) => service.copyState(into),
    dumpDatabase: async (out, options = {}) => {
      for (const table of options.excludeTableData ?? []) {
        if (!own.test(table)) throw PlatformStateErrors.tableNotOwn(table, schema);
      }
      return service.dumpDatabase(out, options);
    },
  };
}
