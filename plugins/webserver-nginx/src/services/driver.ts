/**
 * The NGINX + PHP-FPM driver: the `WebServerDriver` contract on top of its parts. Starting the
 * masters is in prefix.ts, the queue and a batch in batch.ts, one site's work in site-work.ts,
 * the checks with rollback in checks.ts, supervision in servers.ts and supervisor.ts.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  SiteConfigRejected,
  SiteFileNotFound,
  WebServerUnavailable,
  type AppliedSite,
  type RotatedSiteLog,
  type SiteFiles,
  type SiteLogFile,
  type SiteTree,
  type SiteSpec,
  type WebServerDriver,
  type WebServerStatus,
} from '@hostplane/sdk';
import { layoutOf, sitePaths, type Layout } from '../layout.js';
import { assertValidSpec, SITE_NAME } from '../names.js';
import { BatchQueue } from './batch.js';
import { previewUrlOf, type DriverContext, type DriverOptions } from './driver-context.js';
import { preflight, startServers, stopServers } from './prefix.js';
import { NginxMaster } from './servers.js';
import { removeFile, writeAtomic } from './files.js';
import { AppSupervisor } from './supervisor.js';
import { rotateSiteLogs, siteLogFiles } from './logs.js';
import { FileWorkers } from './file-workers.js';
import { SiteFileManager } from './site-files.js';
import { lookupUser, SiteUsers } from './users.js';

export type { DriverLogger, DriverOptions } from './driver-context.js';

/** An ACME token (RFC 8555 §8.3: base64url, at least 128 bits); never a path. */
const ACME_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export class NginxDriver implements WebServerDriver {
  readonly id = 'nginx';
  readonly layout: Layout;
  private ready = false;
  private reason: string | null = 'not started';
  private readonly ctx: DriverContext;
  /** Processes running file operations as site users, kept warm between a user's operations. */
  private readonly fileWorkers = new FileWorkers();
  private readonly queue: BatchQueue;
  private recovered: Promise<void> = Promise.resolve();
  /** While `start` runs: calls wait for it instead of failing as unavailable. */
  private starting: Promise<WebServerStatus> | null = null;
  /** Rotations run one at a time (two would rename each other's files). */
  private rotating: Promise<unknown> = Promise.resolve();

  constructor(options: DriverOptions) {
    this.layout = layoutOf(options.root);
    const log = options.logger;
    this.ctx = {
      options,
      layout: this.layout,
      log,
      isRoot: process.getuid?.() === 0,
      nginx: new NginxMaster(options.nginxBinary, this.layout.prefix, this.layout.nginxConf, this.layout.nginxPid),
      fpm: new Map(),
      supervisor: new AppSupervisor(this.layout.run, (name, event, detail) =>
        log.warn({ site: name, event, ...detail }, 'node.js app event'),
      ),
      versions: [],
      users: new SiteUsers('current', null),
      reloads: 0,
    };
    this.queue = new BatchQueue(this.ctx);
  }

  // ─── lifecycle ────────────────────────────────────────────────────────────

  /**
   * Prepare the prefix and start (or adopt) the masters. Never throws: see `status()`. Calls
   * made meanwhile (apply, remove, reload) wait for it, so a caller need not await it first.
   */
  start(): Promise<WebServerStatus> {
    this.starting = this.startServers().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /** Why the masters cannot start, found in milliseconds (a binary missing, a root too long), or null. */
  async preflight(): Promise<string | null> {
    try {
      await preflight(this.ctx);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  private async startServers(): Promise<WebServerStatus> {
    try {
      await startServers(this.ctx);
      this.ready = true;
      this.reason = null;
      this.recovered = this.reapplyRecorded();
    } catch (err) {
      this.ready = false;
      this.reason = err instanceof Error ? err.message : String(err);
      this.ctx.log.warn({ reason: this.reason }, 'web server unavailable');
    }
    return this.snapshot();
  }

  /**
   * Finish queued work, stop the apps and QUIT both masters. With `keepServers` (the host stops
   * but the plugin stays enabled) the masters keep serving every site; the next `start` adopts
   * them. The Node.js apps are this process's children and stop either way.
   */
  async stop(options: { keepServers?: boolean } = {}): Promise<void> {
    await this.starting;
    const wasReady = this.ready;
    this.ready = false;
    this.reason = 'stopped';
    await this.recovered;
    await this.queue.idle();
    this.fileWorkers.close();
    await this.ctx.supervisor.stopAll();
    if (!wasReady || options.keepServers) return;
    await this.ctx.nginx.stop();
    await Promise.all([...this.ctx.fpm.values()].map((m) => m.stop()));
  }

  /** Stop NGINX and PHP-FPM under the root, this process's or an earlier one's (the `stop` command). */
  async stopServers(): Promise<void> {
    await this.starting;
    this.ready = false;
    this.reason = 'stopped';
    await this.queue.idle();
    this.fileWorkers.close();
    await stopServers(this.ctx);
  }

  /**
   * Apply again every site recorded in `state/` (in the background, one batch): a restart with
   * a changed port, listen address or user mode rewrites every config, a config file deleted by
   * hand comes back, and Node.js apps run again. The websites reconciler does the same from
   * PostgreSQL; both are idempotent and land in the same batches.
   */
  private reapplyRecorded(): Promise<void> {
    const dir = this.layout.state;
    return fs
      .readdir(dir)
      .then((files) =>
        Promise.all(
          files
            .filter((f) => f.endsWith('.json'))
            .map(async (file) => {
              const site = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as SiteSpec;
              await this.apply(site);
            }),
        ),
      )
      .then(
        () => undefined,
        (err: unknown) => this.ctx.log.error({ err }, 'could not re-apply the recorded sites'),
      );
  }

  /** Resolves once the sites recorded at the last start are applied again (for tests). */
  whenRecovered(): Promise<void> {
    return this.recovered;
  }

  // ─── the WebServerDriver contract ─────────────────────────────────────────

  apply(site: SiteSpec): Promise<AppliedSite> {
    if (this.starting) return this.starting.then(() => this.apply(site));
    if (!this.ready) return Promise.reject(WebServerUnavailable(this.reason ?? 'not started'));
    try {
      assertValidSpec(site, this.ctx.versions);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => this.queue.enqueue({ kind: 'apply', site: structuredClone(site), resolve, reject }));
  }

  async suspend(site: SiteSpec): Promise<void> {
    await this.apply({ ...site, state: 'suspended' });
  }

  remove(site: Pick<SiteSpec, 'id' | 'name'>, options: { keepFiles?: boolean } = {}): Promise<void> {
    if (!SITE_NAME.test(site.name)) return Promise.reject(SiteConfigRejected(JSON.stringify(site.name), 'not a site name'));
    if (this.starting) return this.starting.then(() => this.remove(site, options));
    if (!this.ready) return Promise.reject(WebServerUnavailable(this.reason ?? 'not started'));
    return new Promise((resolve, reject) =>
      this.queue.enqueue({ kind: 'remove', name: site.name, keepFiles: options.keepFiles === true, resolve, reject }),
    );
  }

  /** Waits for a start in progress, like every other call: its outcome is the answer. */
  async status(): Promise<WebServerStatus> {
    if (this.starting) await this.starting;
    return this.snapshot();
  }

  private snapshot(): WebServerStatus {
    return {
      state: this.ready ? 'ready' : 'degraded',
      reason: this.ready ? null : this.reason,
      phpVersions: [...this.ctx.versions],
      reloads: this.ctx.reloads,
    };
  }

  reload(): Promise<void> {
    if (this.starting) return this.starting.then(() => this.reload());
    if (!this.ready) return Promise.reject(WebServerUnavailable(this.reason ?? 'not started'));
    return new Promise((resolve, reject) => this.queue.enqueue({ kind: 'reload', resolve, reject }));
  }

  /**
   * ACME HTTP-01: `content` answers `/.well-known/acme-challenge/<token>` on every site over
   * plain HTTP from now on (a file NGINX serves; no reload). The token is base64url as ACME
   * makes it; the content, the key authorization, is printable ASCII.
   */
  async putChallenge(token: string, content: string): Promise<void> {
    if (this.starting) await this.starting;
    if (!this.ready) throw WebServerUnavailable(this.reason ?? 'not started');
    if (!ACME_TOKEN.test(token)) throw SiteConfigRejected('acme-challenge', 'the token must be 1-256 base64url characters');
    if (!/^[\x21-\x7e]{1,1024}$/.test(content))
      throw SiteConfigRejected('acme-challenge', 'the content must be 1-1024 printable ASCII characters');
    await writeAtomic(path.join(this.layout.acme, token), content, 0o644);
  }

  /** Stop answering a challenge token; idempotent. */
  async removeChallenge(token: string): Promise<void> {
    if (!ACME_TOKEN.test(token)) throw SiteConfigRejected('acme-challenge', 'the token must be 1-256 base64url characters');
    await removeFile(path.join(this.layout.acme, token));
  }

  /** A site's tree (`sites/<name>`; its logs and tmp are not content) and the owner the driver gave it. */
  async siteTree(site: Pick<SiteSpec, 'id' | 'name'>): Promise<SiteTree | null> {
    if (!SITE_NAME.test(site.name)) throw SiteConfigRejected(JSON.stringify(site.name), 'not a site name');
    if (this.starting) await this.starting;
    if (!this.ready) throw WebServerUnavailable(this.reason ?? 'not started');
    const paths = sitePaths(this.layout, site.name);
    const found = await fs.stat(paths.dir).catch(() => null);
    if (!found?.isDirectory()) return null;
    const owner = await this.ctx.users.ensure(site.name, paths.dir);
    return {
      root: paths.dir,
      exclude: [path.relative(paths.dir, paths.logs), path.relative(paths.dir, paths.tmp)],
      uid: owner.treeUid,
      gid: owner.treeGid,
      userGid: owner.gid,
    };
  }

  /** Rename every site's logs, have NGINX reopen, keep `logRetention` rotated files per site (logs.ts). */
  rotateLogs(): Promise<RotatedSiteLog[]> {
    const run = async () => {
      if (this.starting) await this.starting;
      if (!this.ready) throw WebServerUnavailable(this.reason ?? 'not started');
      const o = this.ctx.options;
      const keep = { files: o.logRetentionFiles ?? 48, bytes: (o.logRetentionMb ?? 256) * 1024 * 1024 };
      return rotateSiteLogs(this.layout, this.ctx.nginx, keep, new Date());
    };
    const next = this.rotating.then(run, run);
    this.rotating = next.catch(() => undefined);
    return next;
  }

  /** A site's current and kept log files, newest first. */
  async siteLogs(site: Pick<SiteSpec, 'id' | 'name'>): Promise<SiteLogFile[]> {
    if (!SITE_NAME.test(site.name)) throw SiteConfigRejected(JSON.stringify(site.name), 'not a site name');
    return siteLogFiles(this.layout, site.name);
  }

  /** The preview address of a site: `*.localhost` resolves to 127.0.0.1, so only a loopback or wildcard listener has one. */
  previewUrl(name: string): string | null {
    return previewUrlOf(this.ctx.options, name);
  }

  /** The system user a site runs as (`hp<tag>-<name>`), or null without per-site users or before start. */
  siteUser(name: string): string | null {
    return this.ready && this.ctx.users.mode === 'per-site' ? this.ctx.users.nameOf(name) : null;
  }

  /** The site's document root, operated on as the site's system user (see site-files.ts). */
  files(site: Pick<SiteSpec, 'id' | 'name'>): SiteFiles {
    if (!SITE_NAME.test(site.name)) throw SiteFileNotFound('');
    return new SiteFileManager(
      sitePaths(this.layout, site.name).public,
      async () => {
        if (!this.ready) throw WebServerUnavailable(this.reason ?? 'not started');
        if (this.ctx.users.mode !== 'per-site') return null;
        const user = await lookupUser(this.ctx.users.nameOf(site.name));
        // No user yet: the site has not been applied, so it has no files either.
        if (!user) throw SiteFileNotFound('');
        return { uid: user.uid, gid: user.gid };
      },
      this.fileWorkers,
    );
  }

  /** For tests and diagnostics: the pid of a site's Node.js app. */
  appPid(name: string): number | null {
    return this.ctx.supervisor.pid(name);
  }
}
