/**
 * The NGINX + PHP-FPM driver. Every change goes through one queue: while a check + reload runs,
 * new calls wait, and the next batch carries all of them, so a burst of applies costs a handful
 * of reloads. A batch: prepare each site (user, tree, files), `nginx -t` / `php-fpm -t`, roll
 * back only the site an error names and check again, reload, then finish each site (app process,
 * state file) and settle its callers.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  SiteConfigRejected,
  WebServerUnavailable,
  type AppliedSite,
  type SiteSpec,
  type WebServerDriver,
  type WebServerStatus,
} from '@hostplane/sdk';
import {
  fpmConf,
  fpmLog,
  fpmPid,
  layoutOf,
  poolDir,
  poolFile,
  poolSocket,
  siteConfFile,
  sitePaths,
  type Layout,
} from '../layout.js';
import { assertValidSpec, SITE_NAME } from '../names.js';
import { FASTCGI_PARAMS, MIME_TYPES, renderMainConfig, renderSiteConfig } from '../render/nginx.js';
import { renderFpmMain, renderPool, renderSitePool } from '../render/php-fpm.js';
import { safePath } from '../render/quote.js';
import { readOrNull, removeFile, writeAtomic, writeIfChanged } from './files.js';
import { FpmMaster, NginxMaster } from './servers.js';
import { AppSupervisor } from './supervisor.js';
import { chownTree, disownTree, ensurePlaceholder, ensureSiteTree } from './tree.js';
import { lookupUser, SiteUsers, type Owner } from './users.js';
import { ArchiveRefused, installWordPress } from './wordpress.js';

/** The part of the plugin logger the driver uses (pino-compatible). */
export interface DriverLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DriverOptions {
  root: string;
  httpPort: number;
  listenAddress: string;
  siteUsers: 'auto' | 'per-site' | 'current';
  nginxBinary: string;
  phpFpmDir: string;
  workerProcesses: number;
  /** NGINX's user when running as root. */
  webUser?: string;
  logger: DriverLogger;
}

type Op =
  | { kind: 'apply'; site: SiteSpec; resolve(v: AppliedSite): void; reject(e: unknown): void }
  | { kind: 'remove'; name: string; keepFiles: boolean; resolve(): void; reject(e: unknown): void }
  | { kind: 'reload'; resolve(): void; reject(e: unknown): void };

/** One site's part of a batch. */
interface SiteWork {
  name: string;
  ops: Exclude<Op, { kind: 'reload' }>[];
  /** File contents before this batch touched them (null: absent). */
  before: Map<string, string | null>;
  changedNginx: boolean;
  changedPools: Set<string>;
  error: unknown;
  owner: Owner | null;
  /** Times an `nginx -t` error named this site. */
  blamed: number;
}

/** Longest path a unix socket may have (sun_path is 108 bytes with the NUL). */
const MAX_SOCKET_PATH = 107;
const PREPARE_CONCURRENCY = 8;

export class NginxDriver implements WebServerDriver {
  readonly id = 'nginx';
  readonly layout: Layout;
  private ready = false;
  private reason: string | null = 'not started';
  private versions: string[] = [];
  private nginx: NginxMaster;
  private readonly fpm = new Map<string, FpmMaster>();
  private users: SiteUsers = new SiteUsers('current', null);
  private readonly supervisor: AppSupervisor;
  private readonly queue: Op[] = [];
  private draining: Promise<void> | null = null;
  private reloadCount = 0;
  private recovered: Promise<void> = Promise.resolve();
  private isRoot = process.getuid?.() === 0;
  private readonly log: DriverLogger;

  constructor(private readonly options: DriverOptions) {
    this.layout = layoutOf(options.root);
    this.log = options.logger;
    this.nginx = new NginxMaster(options.nginxBinary, this.layout.prefix, this.layout.nginxConf, this.layout.nginxPid);
    this.supervisor = new AppSupervisor(this.layout.run, (name, event, detail) =>
      this.log.warn({ site: name, event, ...detail }, 'node.js app event'),
    );
  }

  // ─── lifecycle ────────────────────────────────────────────────────────────

  /** Prepare the prefix and start (or adopt) the masters. Never throws: see `status()`. */
  async start(): Promise<WebServerStatus> {
    try {
      await this.init();
      this.ready = true;
      this.reason = null;
      this.recovered = this.reapplyRecorded();
    } catch (err) {
      this.ready = false;
      this.reason = err instanceof Error ? err.message : String(err);
      this.log.warn({ reason: this.reason }, 'web server unavailable');
    }
    return this.status();
  }

  /** Finish queued work, stop the apps and QUIT both masters. */
  async stop(): Promise<void> {
    const wasReady = this.ready;
    this.ready = false;
    this.reason = 'stopped';
    await this.recovered;
    await this.draining?.catch(() => undefined);
    await this.supervisor.stopAll();
    if (!wasReady) return;
    await this.nginx.stop();
    await Promise.all([...this.fpm.values()].map((m) => m.stop()));
  }

  private async init(): Promise<void> {
    const o = this.options;
    const L = this.layout;
    safePath(L.root);
    const longest = poolSocket(L, '99.99', 'x'.repeat(31));
    if (longest.length > MAX_SOCKET_PATH)
      throw new Error(`root ${L.root} is too long for PHP-FPM socket paths; choose a shorter one`);
    if (!(await executable(o.nginxBinary))) throw new Error(`nginx not found at ${o.nginxBinary}`);
    this.versions = await findPhpVersions(o.phpFpmDir);
    if (this.versions.length === 0) throw new Error(`no php-fpm binary (php-fpm<major.minor>) in ${o.phpFpmDir}`);

    const webUser = o.webUser ?? 'www-data';
    const web = this.isRoot ? await lookupUser(webUser) : null;
    if (this.isRoot && web === null) throw new Error(`running as root but the web user ${webUser} does not exist`);
    const mode = o.siteUsers === 'auto' ? (this.isRoot ? 'per-site' : 'current') : o.siteUsers;
    if (mode === 'per-site' && !this.isRoot) throw new Error("siteUsers 'per-site' needs root; use 'current'");
    this.users = new SiteUsers(mode, web === null ? null : { name: webUser, uid: web.uid, gid: web.gid });

    for (const [dir, dirMode] of [
      [L.root, 0o711],
      [L.sites, 0o711],
      [L.run, 0o755],
      [L.logs, 0o755],
      [L.tmp, 0o755],
      [L.confDir, 0o750],
      [L.sitesConf, 0o750],
      [L.state, 0o700],
      [L.php, 0o750],
    ] as const) {
      await fs.mkdir(dir, { recursive: true, mode: dirMode });
      await fs.chmod(dir, dirMode);
    }
    if (web) await assertTraversable(L.root, web);
    await writeIfChanged(L.nginxConf, this.renderMain());
    await writeIfChanged(path.join(L.confDir, 'mime.types'), MIME_TYPES);
    await writeIfChanged(path.join(L.confDir, 'fastcgi_params'), FASTCGI_PARAMS);
    for (const version of this.versions) {
      await fs.mkdir(poolDir(L, version), { recursive: true, mode: 0o750 });
      await writeIfChanged(
        fpmConf(L, version),
        renderFpmMain({ pidFile: fpmPid(L, version), logFile: fpmLog(L, version), poolDir: poolDir(L, version) }),
      );
      // php-fpm refuses to start without a pool; this one never spawns a process (ondemand).
      await writeIfChanged(
        path.join(poolDir(L, version), '_idle.conf'),
        renderPool({
          pool: '_idle',
          socket: poolSocket(L, version, '_idle'),
          user: this.isRoot ? webUser : null,
          group: this.isRoot ? webUser : null,
          listenOwner: this.isRoot ? webUser : null,
          maxChildren: 1,
          admin: {},
        }),
      );
      this.fpm.set(
        version,
        new FpmMaster(
          version,
          path.join(o.phpFpmDir, `php-fpm${version}`),
          fpmConf(L, version),
          fpmPid(L, version),
          fpmLog(L, version),
        ),
      );
    }

    // Files left broken by an earlier process must not keep the server down: set them aside.
    await this.checkNginx(new Map());
    for (const [version, master] of this.fpm) await this.checkFpm(version, master, new Map());

    // A master adopted from an earlier process (one killed mid-batch, say) may run an older
    // config than the files now on disk, and later batches only reload when a file changes:
    // load what is on disk (checked just above) now.
    const started = await this.nginx.start();
    if (started === 'adopted') await this.nginx.reload();
    this.log.info({ prefix: L.prefix, listen: this.listen(), how: started }, 'nginx running');
    for (const master of this.fpm.values()) {
      const how = await master.start();
      if (how === 'adopted') await master.reload();
      this.log.info({ php: master.version, how }, 'php-fpm running');
    }
  }

  private renderMain(): string {
    const L = this.layout;
    return renderMainConfig({
      prefix: L.prefix,
      pidFile: L.nginxPid,
      logsDir: L.logs,
      tmpDir: L.tmp,
      confDir: L.confDir,
      sitesConfDir: L.sitesConf,
      listen: this.listen(),
      user: this.isRoot ? (this.options.webUser ?? 'www-data') : null,
      workerProcesses: this.options.workerProcesses,
    });
  }

  private listen(): string {
    return `${this.options.listenAddress}:${this.options.httpPort}`;
  }

  /**
   * Apply again every site recorded in `state/` (in the background, one batch): a restart with
   * a changed port, listen address or user mode rewrites every config, a config file deleted by
   * hand comes back, and Node.js apps run again. The websites reconciler does the same from
   * PostgreSQL; both are idempotent and land in the same batches.
   */
  private reapplyRecorded(): Promise<void> {
    return fs
      .readdir(this.layout.state)
      .then((files) =>
        Promise.all(
          files
            .filter((f) => f.endsWith('.json'))
            .map(async (file) => {
              const site = JSON.parse(await fs.readFile(path.join(this.layout.state, file), 'utf8')) as SiteSpec;
              await this.apply(site);
            }),
        ),
      )
      .then(
        () => undefined,
        (err: unknown) => this.log.error({ err }, 'could not re-apply the recorded sites'),
      );
  }

  /** Resolves once the sites recorded at the last start are applied again (for tests). */
  whenRecovered(): Promise<void> {
    return this.recovered;
  }

  // ─── the WebServerDriver contract ─────────────────────────────────────────

  apply(site: SiteSpec): Promise<AppliedSite> {
    if (!this.ready) return Promise.reject(WebServerUnavailable(this.reason ?? 'not started'));
    try {
      assertValidSpec(site, this.versions);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => this.enqueue({ kind: 'apply', site: structuredClone(site), resolve, reject }));
  }

  async suspend(site: SiteSpec): Promise<void> {
    await this.apply({ ...site, state: 'suspended' });
  }

  remove(site: Pick<SiteSpec, 'id' | 'name'>, options: { keepFiles?: boolean } = {}): Promise<void> {
    if (!SITE_NAME.test(site.name)) return Promise.reject(SiteConfigRejected(JSON.stringify(site.name), 'not a site name'));
    if (!this.ready) return Promise.reject(WebServerUnavailable(this.reason ?? 'not started'));
    return new Promise((resolve, reject) =>
      this.enqueue({ kind: 'remove', name: site.name, keepFiles: options.keepFiles === true, resolve, reject }),
    );
  }

  async status(): Promise<WebServerStatus> {
    return {
      state: this.ready ? 'ready' : 'degraded',
      reason: this.ready ? null : this.reason,
      phpVersions: [...this.versions],
      reloads: this.reloadCount,
    };
  }

  reload(): Promise<void> {
    if (!this.ready) return Promise.reject(WebServerUnavailable(this.reason ?? 'not started'));
    return new Promise((resolve, reject) => this.enqueue({ kind: 'reload', resolve, reject }));
  }

  /** The preview address of a site: `*.localhost` resolves to 127.0.0.1, so only a loopback or wildcard listener has one. */
  previewUrl(name: string): string | null {
    const addr = this.options.listenAddress;
    if (addr !== '*' && !addr.startsWith('127.') && addr !== '[::1]') return null;
    const port = this.options.httpPort === 80 ? '' : `:${this.options.httpPort}`;
    return `http://${name}.localhost${port}`;
  }

  /** For tests and diagnostics: the pid of a site's Node.js app. */
  appPid(name: string): number | null {
    return this.supervisor.pid(name);
  }

  // ─── the queue ────────────────────────────────────────────────────────────

  private enqueue(op: Op): void {
    this.queue.push(op);
    if (this.draining) return;
    // One macrotask of delay: calls made in the same tick land in the same batch.
    this.draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.runBatch(batch);
      } catch (err) {
        // Unexpected: settle everything still waiting so no caller hangs.
        this.log.error({ err }, 'web server batch failed');
        for (const op of batch) op.reject(err);
      }
    }
  }

  private async runBatch(batch: Op[]): Promise<void> {
    const works = new Map<string, SiteWork>();
    let forced = false;
    const reloadOps: Extract<Op, { kind: 'reload' }>[] = [];
    for (const op of batch) {
      if (op.kind === 'reload') {
        forced = true;
        reloadOps.push(op);
        continue;
      }
      const name = op.kind === 'apply' ? op.site.name : op.name;
      let work = works.get(name);
      if (!work) {
        work = {
          name,
          ops: [],
          before: new Map(),
          changedNginx: false,
          changedPools: new Set(),
          error: null,
          owner: null,
          blamed: 0,
        };
        works.set(name, work);
      }
      work.ops.push(op);
    }

    const t0 = performance.now();
    // Site users first, all in one go (see SiteUsers.ensureMany).
    const owners = await this.users.ensureMany(
      [...works.values()]
        .filter((w) => w.ops.some((op) => op.kind === 'apply'))
        .map((w) => ({ siteName: w.name, siteDir: sitePaths(this.layout, w.name).dir })),
    );
    await eachLimited([...works.values()], PREPARE_CONCURRENCY, (work) => this.prepare(work, owners.get(work.name)));
    const t1 = performance.now();
    let t2 = t1;

    const live = (): SiteWork[] => [...works.values()].filter((w) => w.error === null);
    const nginxChanged = forced || live().some((w) => w.changedNginx);
    const fpmChanged = new Set<string>(forced ? this.versions : []);
    for (const w of live()) for (const v of w.changedPools) fpmChanged.add(v);

    let reloadError: unknown = null;
    if (nginxChanged || fpmChanged.size > 0) {
      try {
        if (nginxChanged) await this.checkNginx(works);
        for (const version of fpmChanged) {
          const master = this.fpm.get(version);
          if (master) await this.checkFpm(version, master, works);
        }
        // A site rejected by one check was rolled back in both; reload what is still changed.
        t2 = performance.now();
        this.reloadCount++;
        if (nginxChanged) await this.nginx.reload();
        for (const version of fpmChanged) await this.fpm.get(version)?.reload();
      } catch (err) {
        // The server, not a site, is at fault: callers keep their sites pending and retry. Put
        // the batch's files back so the next batch does not trip over the same unknown error.
        reloadError = WebServerUnavailable(err instanceof Error ? err.message : String(err));
        this.log.error({ err }, 'check or reload failed');
        for (const work of works.values()) {
          await this.restore(work).catch((e: unknown) => this.log.error({ site: work.name, err: e }, 'restore failed'));
        }
      }
    }

    const t3 = performance.now();
    for (const op of reloadOps) {
      if (reloadError) op.reject(reloadError);
      else op.resolve();
    }
    await eachLimited([...works.values()], PREPARE_CONCURRENCY, (work) => this.finish(work, reloadError));
    const ms = (a: number, b: number): number => Math.round(b - a);
    this.log.info(
      {
        sites: works.size,
        rejected: [...works.values()].filter((w) => w.error !== null).length,
        reloaded: nginxChanged || fpmChanged.size > 0,
        prepareMs: ms(t0, t1),
        checkMs: ms(t1, t2),
        reloadMs: ms(t2, t3),
        finishMs: ms(t3, performance.now()),
      },
      'web server batch done',
    );
  }

  // ─── one site in a batch ──────────────────────────────────────────────────

  /** Remember a file's content before the batch first changes it. */
  private async remember(work: SiteWork, file: string): Promise<void> {
    if (!work.before.has(file)) work.before.set(file, await readOrNull(file));
  }

  private async prepare(work: SiteWork, owner: Owner | Error | undefined): Promise<void> {
    try {
      for (const op of work.ops) {
        if (op.kind === 'apply') await this.prepareApply(work, op.site, owner);
        else await this.prepareRemove(work);
      }
    } catch (err) {
      work.error = err;
      await this.restore(work).catch((e: unknown) => this.log.error({ site: work.name, err: e }, 'restore failed'));
    }
  }

  private async prepareApply(work: SiteWork, site: SiteSpec, resolved: Owner | Error | undefined): Promise<void> {
    const L = this.layout;
    assertValidSpec(site, this.versions);
    if (site.kind === 'nodejs' && site.nodejs?.port === this.options.httpPort) {
      throw SiteConfigRejected(site.name, `nodejs.port ${site.nodejs.port} is the web server's own port`);
    }
    const paths = sitePaths(L, site.name);
    if (resolved instanceof Error) throw resolved;
    const owner = resolved ?? (await this.users.ensure(site.name, paths.dir));
    work.owner = owner;
    await ensureSiteTree(paths, owner);
    if (site.state === 'active') {
      if (site.kind === 'static' || site.kind === 'php') await ensurePlaceholder(paths, owner);
      if (site.kind === 'wordpress') await this.ensureWordPress(site, owner);
    }
    const php =
      (site.kind === 'php' || site.kind === 'wordpress') && site.state === 'active' ? (site.phpVersion as string) : null;
    const conf = renderSiteConfig({
      site,
      listen: this.listen(),
      documentRoot: paths.public,
      logsDir: paths.logs,
      phpSocket: php ? poolSocket(L, php, site.name) : null,
      confDir: L.confDir,
    });
    const confFile = siteConfFile(L, site.name);
    await this.remember(work, confFile);
    if (await writeIfChanged(confFile, conf, 0o640)) work.changedNginx = true;
    for (const version of this.versions) {
      const file = poolFile(L, version, site.name);
      await this.remember(work, file);
      if (version === php) {
        const pool = renderSitePool({
          site,
          socket: poolSocket(L, version, site.name),
          user: owner.user,
          listenOwner: this.isRoot ? (this.options.webUser ?? 'www-data') : null,
          documentRoot: paths.public,
          tmpDir: paths.tmp,
          logsDir: paths.logs,
        });
        if (await writeIfChanged(file, pool, 0o640)) work.changedPools.add(version);
      } else if (await removeFile(file)) work.changedPools.add(version);
    }
  }

  private async prepareRemove(work: SiteWork): Promise<void> {
    const L = this.layout;
    const confFile = siteConfFile(L, work.name);
    await this.remember(work, confFile);
    if (await removeFile(confFile)) work.changedNginx = true;
    await removeFile(`${confFile}.broken`);
    for (const version of this.versions) {
      const file = poolFile(L, version, work.name);
      await this.remember(work, file);
      if (await removeFile(file)) work.changedPools.add(version);
    }
  }

  /** Put back every file as it was before the batch. */
  private async restore(work: SiteWork): Promise<void> {
    for (const [file, content] of work.before) {
      if (content === null) await removeFile(file);
      else await writeAtomic(file, content, 0o640);
    }
  }

  private async finish(work: SiteWork, reloadError: unknown): Promise<void> {
    const error = work.error ?? reloadError;
    if (error === null) {
      try {
        await this.complete(work);
      } catch (err) {
        this.log.error({ site: work.name, err }, 'finishing the site failed');
        for (const op of work.ops) op.reject(err);
        return;
      }
    }
    const L = this.layout;
    for (const op of work.ops) {
      if (error !== null) op.reject(error);
      else if (op.kind === 'apply')
        op.resolve({ documentRoot: sitePaths(L, op.site.name).public, previewUrl: this.previewUrl(op.site.name) });
      else op.resolve();
    }
  }

  /** After the reload: app processes, users, trees, state files. */
  private async complete(work: SiteWork): Promise<void> {
    const last = work.ops[work.ops.length - 1];
    if (!last) return;
    const L = this.layout;
    const stateFile = path.join(L.state, `${work.name}.json`);
    if (last.kind === 'apply') {
      const site = last.site;
      if (site.kind === 'nodejs' && site.state === 'active' && work.owner) await this.startApp(site, work.owner);
      else await this.supervisor.stop(site.name);
      await writeIfChanged(stateFile, `${JSON.stringify(site, null, 2)}\n`, 0o600);
      return;
    }
    await this.supervisor.stop(work.name);
    for (const version of this.versions) await removeFile(poolSocket(L, version, work.name));
    const paths = sitePaths(L, work.name);
    if (!last.keepFiles) await fs.rm(paths.dir, { recursive: true, force: true });
    else if (this.users.mode === 'per-site') await disownTree(paths.dir);
    await this.users.remove(work.name);
    await removeFile(stateFile);
    await removeFile(path.join(L.state, `${work.name}.wordpress`));
  }

  private async startApp(site: SiteSpec, owner: Owner): Promise<void> {
    const app = site.nodejs;
    if (!app) return;
    const paths = sitePaths(this.layout, site.name);
    await this.supervisor.ensure({
      name: site.name,
      spec: app,
      cwd: paths.app,
      logFile: path.join(paths.logs, 'app.log'),
      uid: owner.uid,
      gid: owner.gid,
    });
  }

  private async ensureWordPress(site: SiteSpec, owner: Owner): Promise<void> {
    const marker = path.join(this.layout.state, `${site.name}.wordpress`);
    if ((await readOrNull(marker)) !== null || !site.wordpress) return;
    const paths = sitePaths(this.layout, site.name);
    try {
      await installWordPress(site.wordpress, paths.public, paths.tmp);
    } catch (err) {
      // A bad archive is this site's configuration problem; a failed download may be retried.
      if (err instanceof ArchiveRefused) throw SiteConfigRejected(site.name, err.message);
      throw err;
    }
    await chownTree(paths.public, owner);
    await writeAtomic(marker, `${new Date().toISOString()}\n`, 0o600);
  }

  // ─── checks with rollback ─────────────────────────────────────────────────

  /**
   * Run `nginx -t` until it passes. Each failure names a file: a site in this batch is rolled
   * back and rejected; if its previous config fails too, its file goes; a file from outside the
   * batch (left by a crash or edited by hand) is set aside as `.broken`.
   */
  private async checkNginx(works: Map<string, SiteWork>): Promise<void> {
    const limit = works.size * 2 + 20;
    for (let attempt = 0; ; attempt++) {
      const r = await this.nginx.test();
      if (r.code === 0) return;
      const message = nginxError(r.stderr);
      if (attempt >= limit) throw new Error(`nginx -t keeps failing: ${message}`);
      const file = /in (\/\S+?):\d+/.exec(r.stderr)?.[1] ?? null;
      const name = file ? siteNameOf(file, this.layout.sitesConf) : null;
      const work = name ? works.get(name) : undefined;
      if (work) await this.blame(work, message);
      else if (name && file) {
        this.log.warn({ file, message }, 'setting aside a site config nginx refuses');
        await fs.rename(file, `${file}.broken`);
      } else {
        // The error is in no site file (the main config, a snippet): nothing to roll back.
        throw new Error(`nginx -t failed: ${message}`);
      }
    }
  }

  /** Same for one PHP version's pools. php-fpm names the pool file or the pool. */
  private async checkFpm(version: string, master: FpmMaster, works: Map<string, SiteWork>): Promise<void> {
    const dir = poolDir(this.layout, version);
    const limit = works.size * 2 + 20;
    for (let attempt = 0; ; attempt++) {
      const r = await master.test();
      if (r.code === 0) return;
      const text = `${r.stdout}\n${r.stderr}`;
      const message = fpmError(text);
      if (attempt >= limit) throw new Error(`php-fpm${version} -t keeps failing: ${message}`);
      const file = /\[(\/[^\]:]+?\.conf):\d+\]/.exec(text)?.[1] ?? null;
      const pool = /\[pool ([a-z0-9-]+)\]/.exec(text)?.[1] ?? null;
      const name = file ? siteNameOf(file, dir) : pool;
      const work = name ? works.get(name) : undefined;
      if (work) await this.blame(work, message);
      else if (name && SITE_NAME.test(name)) {
        const target = poolFile(this.layout, version, name);
        this.log.warn({ file: target, message }, 'setting aside a pool php-fpm refuses');
        await fs.rename(target, `${target}.broken`).catch(() => undefined);
      } else throw new Error(`php-fpm${version} -t failed: ${message}`);
    }
  }

  /** A check named this site: restore its previous files (first time) or drop them (its previous files fail too). */
  private async blame(work: SiteWork, message: string): Promise<void> {
    work.blamed++;
    if (work.error === null) work.error = SiteConfigRejected(work.name, message);
    this.log.warn({ site: work.name, message }, 'site configuration rejected; rolling back');
    if (work.blamed === 1) {
      await this.restore(work);
    } else {
      for (const file of work.before.keys()) await removeFile(file);
    }
  }
}

// ─── helpers ────────────────────────────────────────────────────────────────

async function executable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PHP versions with a php-fpm binary in `dir` (`php-fpm8.2` → `8.2`), newest first. */
export async function findPhpVersions(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  const versions: string[] = [];
  for (const entry of entries) {
    const m = /^php-fpm([0-9]{1,2}\.[0-9]{1,2})$/.exec(entry);
    if (m?.[1] && (await executable(path.join(dir, entry)))) versions.push(m[1]);
  }
  return versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
}

/** `<dir>/<name>.conf` → name. */
function siteNameOf(file: string, dir: string): string | null {
  if (path.dirname(file) !== dir) return null;
  const m = /^([a-z0-9][a-z0-9-]{0,30})\.conf$/.exec(path.basename(file));
  return m?.[1] ?? null;
}

/** The first `[emerg]`/`[alert]` line of `nginx -t`, without the prefix. */
export function nginxError(stderr: string): string {
  const line =
    stderr.split('\n').find((l) => /\[(emerg|alert|crit)\]/.test(l)) ?? stderr.trim().split('\n')[0] ?? 'unknown error';
  return line.replace(/^nginx: \[(emerg|alert|crit)\] /, '').trim();
}

function fpmError(text: string): string {
  const line = text.split('\n').find((l) => /ERROR|ALERT/.test(l)) ?? text.trim().split('\n')[0] ?? 'unknown error';
  return line.replace(/^\[[^\]]*\]\s*/, '').trim();
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * NGINX workers run as the web user and must pass through every folder above the root; a
 * private parent (a 0700 data dir, /root) would make every site answer 404 with only a
 * `Permission denied` in each site's error log. Refuse to start, naming the folder.
 */
async function assertTraversable(root: string, web: { name: string; uid: number; gid: number }): Promise<void> {
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const st = await fs.stat(dir);
    const bit = st.uid === web.uid ? 0o100 : st.gid === web.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      throw new Error(
        `the web user ${web.name} cannot reach ${root}: ${dir} is mode ${(st.mode & 0o777).toString(8)}; allow traversal (chmod o+x ${dir}) or choose another root`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}
