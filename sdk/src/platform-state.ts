/**
 * The control plane's own state, for platform backups (`coreServices.platformState`, capability
 * `platform:dump`): a dump of the whole Hostplane database and the files of the data folder a
 * rebuilt server needs. Whoever holds it reads every table and the platform's secret key.
 */
import type { Writable } from 'node:stream';

/** Which pg_dump dumps the platform's server, and both versions. */
export interface PlatformDumpTool {
  /** Absolute path of the pg_dump that will run. */
  binary: string;
  /** `pg_dump --version` (e.g. `15.20`). */
  clientVersion: string;
  /** The server's `server_version` (e.g. `15.20 (Debian 15.20-0+deb12u1)`). */
  serverVersion: string;
}

/** Options of {@link PlatformStateService.dumpDatabase}. */
export interface PlatformDumpOptions {
  /** Stops pg_dump (SIGKILL); the call then rejects. */
  signal?: AbortSignal;
  /**
   * Tables of the caller's own schema whose rows stay out of the dump (their definition is
   * kept), e.g. the rows that describe the dump being made.
   */
  excludeTableData?: string[];
}

/** A platform state file set copied out by {@link PlatformStateService.copyState}. */
export interface PlatformStateFiles {
  /** Names written into the folder (`secret.key`, `plugins`); empty when there is nothing to keep. */
  names: string[];
  /** Where the platform's secret key comes from: a file (copied) or the environment (not copied). */
  keyOrigin: 'file' | 'env' | 'ephemeral';
}

/**
 * The control plane's database and settings, for backups of the platform itself. Needs
 * `platform:dump`.
 */
export interface PlatformStateService {
  /**
   * The pg_dump that can dump the platform's server: Debian's `/usr/lib/postgresql/<server
   * major>/bin/pg_dump` first, else the configured or `PATH` one when its major version is at
   * least the server's. Rejects with `PLATFORM_ERR_PG_DUMP_VERSION` (409) naming both versions
   * and the package to install when none can (pg_dump refuses newer servers).
   */
  dumpTool(): Promise<PlatformDumpTool>;
  /**
   * `pg_dump --format=custom` of the whole database (the superuser-only `hostplane_bootstrap`
   * schema left out) written into `out`, which is never ended: the caller ends it only once this
   * resolved, so a failed dump never looks whole. Rejects (pg_dump killed) on failure or abort.
   */
  dumpDatabase(out: Writable, options?: PlatformDumpOptions): Promise<PlatformDumpTool>;
  /**
   * Copy into the empty folder `into` what of the data folder a rebuilt server needs besides
   * the database: the secret key file (when the key comes from it) and the drop-in plugins
   * folder (when there is one).
   */
  copyState(into: string): Promise<PlatformStateFiles>;
}
