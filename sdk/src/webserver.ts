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
export interface SiteFiles {
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
   * The site's files and their owner, or null when the site has no files here (never applied,
   * removed). Optional: the sites of a driver without it cannot be backed up.
   */
  siteFiles?(site: Pick<SiteSpec, 'id' | 'name'>): Promise<SiteFiles | null>;
}

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
