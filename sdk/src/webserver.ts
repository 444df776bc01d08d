/**
 * The web server extension point. The websites plugin owns the desired state of every site in
 * PostgreSQL; a driver (`plugins/webserver-nginx`, or a third party's) makes one server match it.
 * Every method is idempotent: the websites reconciler may call `apply` for a site that is
 * already applied (after a crash, on `hostplane websites reconcile`) and nothing must change.
 */
import { defineError } from './errors.js';

/** Application types a website can have. */
export type WebsiteKind = 'static' | 'php' | 'wordpress' | 'nodejs';

/** Per-site resource settings, taken from the subscription's package. */
export interface SiteResources {
  /** PHP `memory_limit` in MB. */
  phpMemoryMb: number;
  /** PHP-FPM `pm.max_children`. */
  phpMaxChildren: number;
  /** PHP `upload_max_filesize` / `post_max_size` and NGINX `client_max_body_size`, MB. */
  uploadMaxMb: number;
}

/**
 * A site's own PHP settings, already checked against the bounds its package sets (the
 * `resources` above are those bounds). Rendered as `php_admin_value`s, so the site's code cannot
 * raise them with `ini_set`.
 */
export interface SitePhpSettings {
  /** `memory_limit`, MB (at most `resources.phpMemoryMb`). */
  memoryLimitMb: number;
  /** `upload_max_filesize` and `post_max_size`, MB (at most `resources.uploadMaxMb`). */
  uploadMaxMb: number;
  /** `max_execution_time`, seconds. */
  maxExecutionSeconds: number;
  /** `display_errors`: show PHP errors in the page (development), else only in the log. */
  displayErrors: boolean;
}

/** WordPress installation settings (kind `wordpress`). */
export interface WordPressSpec {
  /** Where the archive (`.tar.gz` with a top-level `wordpress/` folder) is fetched from: http(s) or file URL. */
  archiveUrl: string;
  database: { host: string; name: string; user: string; password: string; tablePrefix: string };
}

/** Node.js application settings (kind `nodejs`). */
export interface NodeAppSpec {
  /** Start command, run in the document root's parent app folder as the site user (argv, no shell). */
  command: string[];
  /** Port the app listens on (127.0.0.1); NGINX proxies to it. Also passed as `PORT`. */
  port: number;
  /** Extra environment. */
  env: Record<string, string>;
}

/**
 * A site's certificate and its HTTPS switches. The PEMs come from whoever manages certificates
 * (an ACME plugin, an upload); the driver checks that the key belongs to the certificate.
 */
export interface SiteTls {
  /** PEM: the site's certificate first, then the intermediates in order. */
  certificate: string;
  /** PEM private key of that certificate. */
  key: string;
  /** Answer plain HTTP with a permanent redirect to HTTPS (ACME's challenge path excepted). */
  forceHttps: boolean;
  /** Send `Strict-Transport-Security` (two years) on HTTPS answers. */
  hsts: boolean;
}

/**
 * A bandwidth throttle on a site (a quota's overage action): each response is sent at most
 * `bytesPerSecond` fast, and the site serves at most `connections` requests at once, so the
 * site's whole traffic stays under their product.
 */
export interface SiteThrottle {
  /** Per response, 1 KiB/s – 1 GiB/s. */
  bytesPerSecond: number;
  /** Requests served at once across the site's names, 1–10,000; more are answered 503. */
  connections: number;
}

/**
 * Everything a driver needs to serve one site. Built by the websites plugin from validated data:
 * `name` and `domains` are already safe for file names and config (see each field).
 */
export interface SiteSpec {
  /** Website id (uuid). */
  id: string;
  /** Stable slug `[a-z0-9][a-z0-9-]{0,30}`: file names, system user, preview host `<name>.localhost`. */
  name: string;
  /** Host names, primary first: lower-case ASCII (IDNA already applied), validated labels. */
  domains: string[];
  kind: WebsiteKind;
  /** `major.minor` for php/wordpress, one of the driver's `phpVersions`; null otherwise. */
  phpVersion: string | null;
  /** `suspended` serves the suspension page (HTTP 503) instead of the site. */
  state: 'active' | 'suspended';
  resources: SiteResources;
  /** Admin-only extra NGINX directives inside the site's server block; checked by `nginx -t`. */
  extraDirectives: string | null;
  wordpress: WordPressSpec | null;
  nodejs: NodeAppSpec | null;
  /** HTTPS for the site's names; absent or null: plain HTTP only. */
  tls?: SiteTls | null;
  /** PHP settings of a php or wordpress site; absent or null: the `resources` and PHP's defaults. */
  php?: SitePhpSettings | null;
  /** Bandwidth throttle; absent or null: none. */
  throttle?: SiteThrottle | null;
}

/** What a driver reports back after applying a site. */
export interface AppliedSite {
  /** Absolute document root on the server. */
  documentRoot: string;
  /** Address where the site can be seen without DNS (managed dev mode), e.g. `http://shop.localhost:8080`. */
  previewUrl: string | null;
}

/**
 * Where a site's files live on the server and who owns them: what a backup reads and a restore
 * writes back (with this ownership).
 */
export interface SiteTree {
  /** Absolute folder holding everything of the site. */
  root: string;
  /** Folders under `root` that are not the site's content (logs, temporary files): not backed up, left alone by a restore. */
  exclude: string[];
  /** Owner (uid, gid) of the tree's files. */
  uid: number;
  gid: number;
  /** The site user's own group, which some folders carry instead of `gid` (an app folder). */
  userGid: number;
}

/**
 * One line of a site's access log as every driver writes it: a JSON object per line (NGINX's
 * `log_format … escape=json`), so a path or a user agent holding quotes, tabs or bytes that are
 * not UTF-8 cannot forge a field. Usage metering and the statistics read only these fields.
 */
export interface AccessLogRecord {
  /** When the request finished, ISO 8601 with offset (`$time_iso8601`). */
  t: string;
  /** HTTP status sent. */
  s: number;
  /** Bytes sent to the client, headers included (`$bytes_sent`): the site's outgoing traffic. */
  o: number;
  /** Bytes received: request line, headers and body (`$request_length`). */
  i: number;
  /** Request method. */
  m: string;
  /** Request target as the client sent it, query included (`$request_uri`). */
  u: string;
  /** Host header. */
  h: string;
  /** Client address. */
  a: string;
  /** Referer header, `''` when absent. */
  r: string;
  /** User-Agent header, `''` when absent. */
  ua: string;
  /** Seconds from the first byte read to the last byte sent (`$request_time`). */
  d: number;
}

/** One of a site's log files. */
export interface SiteLogFile {
  /** `access`: {@link AccessLogRecord} lines; `error`: the server's own error lines for the site. */
  kind: 'access' | 'error';
  /** Absolute path. */
  file: string;
  /** When it was rotated (ISO 8601); null for the file being written now. */
  rotatedAt: string | null;
  /** Size in bytes when listed. */
  size: number;
}

/** A rotated (closed, complete) log file of a site, from {@link WebServerDriver.rotateLogs}. */
export interface RotatedSiteLog extends SiteLogFile {
  /** The site's {@link SiteSpec.name}. */
  siteName: string;
  rotatedAt: string;
}

/** State of the server a driver drives. */
export interface WebServerStatus {
  /** `ready`: sites can be applied; `degraded`: they cannot, `reason` says why. */
  state: 'ready' | 'degraded';
  reason: string | null;
  /** PHP versions sites may use (`major.minor`). */
  phpVersions: string[];
  /** Config checks and reloads since start (for the benchmark and /metrics). */
  reloads: number;
}

/**
 * A web server driver. Implementations register it with
 * `ctx.extend(extensionPoints.webServer, driver)` and name `webserver` in `provides`.
 */
export interface WebServerDriver {
  /** Driver id, e.g. `nginx`. */
  readonly id: string;
  /**
   * Make the server serve `site` as described: directories, config, pools, app process. Resolves
   * once the server has loaded it (reloads are coalesced across concurrent calls). Throws
   * {@link SiteConfigRejected} when the server refuses this site's config (the previous good
   * config is restored, other sites are untouched), {@link WebServerUnavailable} when no
   * server is running (retry later).
   */
  apply(site: SiteSpec): Promise<AppliedSite>;
  /** Serve the suspension page (HTTP 503) for the site; files are kept. Same as `apply` with `state: 'suspended'`. */
  suspend(site: SiteSpec): Promise<void>;
  /** Stop serving the site and delete its config, pool, app process and (unless `keepFiles`) its files. */
  remove(site: Pick<SiteSpec, 'id' | 'name'>, options?: { keepFiles?: boolean }): Promise<void>;
  /** Is the server able to take sites, and what it offers. */
  status(): Promise<WebServerStatus>;
  /** Check and reload the whole configuration now. */
  reload(): Promise<void>;
  /**
   * ACME HTTP-01: answer `content` at `/.well-known/acme-challenge/<token>` over plain HTTP on
   * every site's names (before any HTTPS redirect) until {@link removeChallenge}. Optional: a
   * driver without it cannot have certificates issued by HTTP-01.
   */
  putChallenge?(token: string, content: string): Promise<void>;
  /** Stop answering a challenge token; idempotent. */
  removeChallenge?(token: string): Promise<void>;
  /**
   * The site's files (its document root), for the panel's file manager and the files API. Every
   * operation runs as the site's system user, never as root, and refuses paths that leave the
   * site. Optional: a driver without it has no file manager.
   */
  files?(site: Pick<SiteSpec, 'id' | 'name'>): SiteFiles;
  /**
   * The site's files and their owner, or null when the site has no files here (never applied,
   * removed). Optional: the sites of a driver without it cannot be backed up.
   */
  siteTree?(site: Pick<SiteSpec, 'id' | 'name'>): Promise<SiteTree | null>;
  /**
   * Close every site's current access and error log and start new ones (NGINX: rename, then
   * reopen), and drop rotated files beyond the driver's retention, so logs never fill the disk.
   * Resolves once the server writes to the new files: every file returned is complete and no
   * longer written. Returns every rotated file still kept, oldest first (files returned by an
   * earlier call too: the caller remembers what it has read). Optional: a driver without it
   * has no traffic metering or statistics.
   */
  rotateLogs?(): Promise<RotatedSiteLog[]>;
  /** The site's log files, newest first (the current ones, then the rotated ones kept); [] when none. */
  siteLogs?(site: Pick<SiteSpec, 'id' | 'name'>): Promise<SiteLogFile[]>;
}

/** One entry of a folder listing. */
export interface SiteFileEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Permission bits as an octal string, e.g. `0644`. */
  mode: string;
  modifiedAt: string;
}

/**
 * A site's files. Paths are relative to the document root, `/`-separated, checked with
 * {@link checkSitePath}: `''` is the root itself.
 */
export interface SiteFiles {
  list(path: string): Promise<SiteFileEntry[]>;
  /** A file's bytes; {@link SiteFileRefused} with reason `too-large` above `maxBytes`. */
  read(path: string, maxBytes: number): Promise<{ content: Buffer; entry: SiteFileEntry }>;
  /** Create or replace a file (its folder must exist); mode `0640` for a new one. */
  write(path: string, content: Buffer): Promise<SiteFileEntry>;
  mkdir(path: string): Promise<SiteFileEntry>;
  /** Move or rename within the site; the target must not exist. */
  rename(from: string, to: string): Promise<SiteFileEntry>;
  /** Permission bits, `0` to `0777` (no setuid, setgid or sticky bit). */
  chmod(path: string, mode: number): Promise<SiteFileEntry>;
  /** Delete a file, a link, or a folder with everything in it. */
  remove(path: string): Promise<void>;
  /**
   * Copy a file, a link (as a link) or a folder with everything in it; the target must not exist.
   * Nothing is left half-copied. Optional: a driver without it cannot copy.
   */
  copy?(from: string, to: string, limits: SiteFileLimits): Promise<SiteFileEntry>;
  /**
   * Zip `names` (paths inside the folder `base`, stored relative to it) into a new archive `to`.
   * Links and special files are left out. Optional: a driver without it cannot zip.
   */
  zip?(base: string, names: string[], to: string, limits: SiteFileLimits): Promise<SiteFileEntry>;
  /**
   * Extract the zip archive at `archive` into the folder `into` (made if missing). Refused with
   * nothing written: names leaving the folder, links and special entries, encrypted entries,
   * more than `maxEntries` entries or `maxBytes` uncompressed bytes (declared or actual), a name
   * that exists in `into` already. Optional: a driver without it cannot unzip.
   */
  unzip?(archive: string, into: string, limits: SiteFileLimits & { maxArchiveBytes: number }): Promise<SiteUnzipResult>;
}

/** Bounds of a copy, zip or unzip, and the hook that may veto the bytes it would write. */
export interface SiteFileLimits {
  /** Most bytes the operation may write (refused with reason `too-large` above). */
  maxBytes: number;
  /** Most files and folders it may write (refused with reason `too-many` above). */
  maxEntries: number;
  /** Called with the bytes about to be written, before anything is: throw to refuse (disk quota). */
  beforeWrite?(bytes: number): Promise<void>;
}

/** What an unzip wrote. */
export interface SiteUnzipResult {
  entries: number;
  bytes: number;
}

/**
 * Characters that look like `/`, `\` or `.` (fraction slash, division slash, full-width forms,
 * one-dot leader …): a path holding one is refused, not "normalised" into something else.
 */
const LOOKALIKES = /[\u2215\u2044\u29F8\uFF0F\uFF3C\uFE68\u2216\uFF0E\u2024\uFE52\u3002\u0701\u0702\uA4F8]/;

/**
 * Check a path inside a site and return its segments. Refused ({@link SiteFileRefused}, reason
 * `path`): absolute paths, `..` and `.` segments, empty segments, backslashes, NUL and other
 * control characters, Unicode look-alikes of `/`, `\` and `.`, text that Unicode compatibility
 * normalisation (NFKC) would change, more than 1024 characters. Whether a symlink leaves the
 * site is the driver's check, on the disk.
 */
export function checkSitePath(input: string): string[] {
  const refuse = (why: string) => SiteFileRefused('path', `${JSON.stringify(input.slice(0, 100))}: ${why}`);
  if (typeof input !== 'string') throw refuse('not a string');
  if (input === '') return [];
  if (input.length > 1024) throw refuse('longer than 1024 characters');
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(input)) throw refuse('control characters (NUL included) are not allowed');
  if (input.startsWith('/')) throw refuse('absolute paths are not allowed; give a path inside the site, e.g. css/site.css');
  if (input.includes('\\')) throw refuse('backslashes are not allowed');
  if (LOOKALIKES.test(input)) throw refuse('characters that look like / or . are not allowed');
  if (input.normalize('NFKC') !== input) throw refuse('the name uses look-alike (compatibility) characters');
  const segments = input.split('/');
  if (segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw refuse('"..", "." and empty names are not allowed');
    if (Buffer.byteLength(segment) > 255) throw refuse('a name is longer than 255 bytes');
  }
  return segments;
}

/** Which rule refused a file operation: `archive` is a zip that cannot be extracted safely. */
export type SiteFileRefusal =
  'path' | 'outside' | 'exists' | 'not-empty' | 'type' | 'too-large' | 'too-many' | 'mode' | 'archive';

/** A path or operation on a site's files is refused (HTTP 400); `reason` says which rule. */
export const SiteFileRefused = defineError(
  'WEBSERVER_ERR_FILE_REFUSED',
  400,
  (reason: SiteFileRefusal, message: string) => message,
  (reason: SiteFileRefusal, message: string) => ({ reason, message }),
);

/** The path does not exist in the site (HTTP 404). */
export const SiteFileNotFound = defineError(
  'WEBSERVER_ERR_FILE_NOT_FOUND',
  404,
  (path: string) => `${path || '/'} does not exist in this site`,
  (path: string) => ({ path }),
);

/** The server rejected this site's configuration (HTTP 422); the message carries the server's words. */
export const SiteConfigRejected = defineError(
  'WEBSERVER_ERR_CONFIG_REJECTED',
  422,
  (site: string, reason: string) => `the web server refused the configuration of ${site}: ${reason}`,
  (site: string, reason: string) => ({ site, reason }),
);

/** No server to apply to (binaries missing, not started); the caller retries later. */
export const WebServerUnavailable = defineError(
  'WEBSERVER_ERR_UNAVAILABLE',
  503,
  (reason: string) => `the web server is not available: ${reason}`,
  (reason: string) => ({ reason }),
);
