/**
 * What the driver's parts share: options, layout, the masters, the site users and the app
 * supervisor. The driver owns one; the batch, the per-site work and the checks read it.
 */
import type { Layout } from '../layout.js';
import type { FpmMaster, NginxMaster } from './servers.js';
import type { AppSupervisor } from './supervisor.js';
import type { SiteUsers } from './users.js';

/** The part of the plugin logger the driver uses (pino-compatible). */
export interface DriverLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DriverOptions {
  root: string;
  httpPort: number;
  /** Port of HTTPS server blocks (sites with `tls`); default 8443. */
  httpsPort?: number;
  listenAddress: string;
  siteUsers: 'auto' | 'per-site' | 'current';
  nginxBinary: string;
  phpFpmDir: string;
  workerProcesses: number;
  /** Rotated log files kept per site and kind (default 48). */
  logRetentionFiles?: number;
  /** Megabytes of rotated log files kept per site and kind (default 256). */
  logRetentionMb?: number;
  /** Port of Adminer (single sign-on from the databases plugin); 0 or absent: no Adminer. */
  adminerPort?: number;
  /** Adminer itself (Debian's `adminer` package). */
  adminerScript?: string;
  /** NGINX's user when running as root. */
  webUser?: string;
  logger: DriverLogger;
}

export interface DriverContext {
  readonly options: DriverOptions;
  readonly layout: Layout;
  readonly log: DriverLogger;
  readonly isRoot: boolean;
  readonly nginx: NginxMaster;
  /** One master per PHP version found at start. */
  readonly fpm: Map<string, FpmMaster>;
  readonly supervisor: AppSupervisor;
  /** PHP versions found at start, newest first. */
  versions: string[];
  users: SiteUsers;
  /** Reloads done (for `status()`). */
  reloads: number;
}

/** NGINX's user when root. */
export const webUserOf = (options: DriverOptions): string => options.webUser ?? 'www-data';

/** The `listen` of every server block. */
export const listenOf = (options: DriverOptions): string => `${options.listenAddress}:${options.httpPort}`;

/** The `listen` of every HTTPS server block. */
export const httpsListenOf = (options: DriverOptions): string => `${options.listenAddress}:${options.httpsPort ?? 8443}`;

/** The preview address of a site: `*.localhost` resolves to 127.0.0.1, so only a loopback or wildcard listener has one. */
export function previewUrlOf(options: DriverOptions, name: string): string | null {
  const addr = options.listenAddress;
  if (addr !== '*' && !addr.startsWith('127.') && addr !== '[::1]') return null;
  const port = options.httpPort === 80 ? '' : `:${options.httpPort}`;
  return `http://${name}.localhost${port}`;
}
