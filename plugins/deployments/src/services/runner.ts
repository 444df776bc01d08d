/**
 * The `deploy-website` job: one deployment of one site, as the site's user.
 *
 * Deployments of a site take turns on a PostgreSQL advisory lock held for the whole run (it dies
 * with the connection, so a host killed mid-deploy leaves no lock behind; a job that finds it
 * taken is retried). Whoever holds it knows every other `running` deployment of the site is dead
 * and marks it failed. Then: clear what a dead run left (release folders no deployment keeps),
 * `git clone --depth 1 --branch` into `releases/<name>`, drop `.git` (NGINX would serve it), run
 * the build with a time limit, check the web-root folder, switch `current` (release-fs.ts), keep
 * the newest N releases. A failure at any step removes the new release and leaves the site
 * serving what it served. The log is flushed to the row every second while it runs.
 */
import { promises as fs } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobContext, Logger, SecretsService, SiteTree, WebServerDriver } from '@hostplane/sdk';
import type { DeploymentsConfig } from '../config.js';
import type { ConnectionRow, DeploymentRow, DeployStore, SiteRow } from '../store.js';
import { checkBranch, checkRepositoryUrl } from '../validate.js';
import { deployKeyName } from './deploy-service.js';
import { LogBuffer } from './log-buffer.js';
import {
  currentRelease,
  ensureReleasesDir,
  initialReleaseName,
  listReleases,
  releaseName,
  RELEASES,
  removeInRelease,
  removeRelease,
  switchTo,
  webRootIsInside,
  type SiteDisk,
} from './release-fs.js';
import { runAs, type Identity } from './run-as.js';

/** Site user ids below this are system accounts (root, www-data): a deploy never runs as one. */
const MIN_SITE_UID = 1000;
const PATH = '/usr/local/bin:/usr/bin:/bin';

export interface DeployPayload {
  deploymentId: string;
}

export interface RunnerDeps {
  store: DeployStore;
  secrets: SecretsService;
  drivers: () => WebServerDriver[];
  config: () => DeploymentsConfig;
  now: () => Date;
  logger: Logger;
}

class DeployFailed extends Error {}

export class Runner {
  constructor(private readonly d: RunnerDeps) {}

  async run(payload: DeployPayload, job?: Pick<JobContext, 'progress'>): Promise<'succeeded' | 'failed' | 'skipped'> {
    const { store } = this.d;
    const row = await store.byId(payload.deploymentId);
    if (!row || row.status === 'succeeded' || row.status === 'failed' || row.status === 'skipped') return 'skipped';
    const site = await store.site(row.website_id);
    if (!site || site.desired !== 'active') {
      await this.finish(row.id, 'failed', { error: 'the website is not active' });
      return 'failed';
    }
    return store.db.knex.transaction(async (lockTrx) => {
      const got = (await lockTrx.raw('select pg_try_advisory_xact_lock(hashtext(?)) as ok', [
        `hostplane:deployments:${site.id}`,
      ])) as {
        rows: Array<{ ok: boolean }>;
      };
      // Thrown: the job is retried with backoff once the running one is done.
      if (!got.rows[0]?.ok) throw new Error('another deployment of this website is running');
      await store
        .deployments()
        .where({ website_id: site.id, status: 'running' })
        .whereNot({ id: row.id })
        .update({
          status: 'failed',
          error: 'interrupted: the host stopped during the deployment',
          finished_at: this.d.now(),
        } as never);
      // A push storm deploys once: a deploy asked for later clones the same branch head, so this one steps aside.
      if (row.trigger !== 'rollback' && (await this.newerDeploy(row))) {
        await this.finish(row.id, 'skipped', {
          phase: 'skipped',
          log: 'A newer deployment of this website was asked for: it deploys instead.\n',
        });
        return 'skipped';
      }
      return this.execute(row, site, job);
    });
  }

  private async newerDeploy(row: DeploymentRow): Promise<boolean> {
    const newer = await this.d.store
      .deployments()
      .where({ website_id: row.website_id })
      .whereNot({ id: row.id })
      .whereIn('trigger', ['manual', 'webhook'])
      .whereIn('status', ['queued', 'succeeded'])
      // Compared in SQL: PostgreSQL keeps microseconds, the Date read back only milliseconds.
      .whereRaw('queued_at > (select queued_at from ?? where id = ?)', [`${this.d.store.db.schema}.deployments`, row.id])
      .first('id');
    return newer !== undefined;
  }

  private async finish(id: string, status: 'succeeded' | 'failed' | 'skipped', patch: Partial<DeploymentRow>): Promise<void> {
    await this.d.store
      .deployments()
      .where({ id })
      .update({ status, finished_at: this.d.now(), ...patch } as never);
  }

  private async treeOf(site: SiteRow): Promise<SiteTree> {
    const driver = this.d.drivers().find((d) => typeof d.siteTree === 'function');
    if (!driver?.siteTree) throw new DeployFailed('no web server plugin that exposes site files is enabled');
    const tree = await driver.siteTree(site);
    if (!tree) throw new DeployFailed('the website has no files on this server yet');
    return tree;
  }

  /** Who the commands run as: the site's user when root (refusing system ids), else this process's user. */
  private identity(tree: SiteTree): Identity {
    if (process.getuid?.() !== 0) return { uid: null, gid: null };
    if (tree.uid < MIN_SITE_UID || tree.userGid < MIN_SITE_UID) {
      throw new DeployFailed(
        'the web server runs sites without users of their own (siteUsers): deploys never run as root or the web server',
      );
    }
    return { uid: tree.uid, gid: tree.userGid };
  }

  private async execute(row: DeploymentRow, site: SiteRow, job?: Pick<JobContext, 'progress'>): Promise<'succeeded' | 'failed'> {
    const { store, logger } = this.d;
    const config = this.d.config();
    const log = new LogBuffer(config.logLimitBytes);
    const started = this.d.now();
    const progress = async (fraction: number, phase: string) => {
      log.line(`==> ${phase}`);
      await store
        .deployments()
        .where({ id: row.id })
        .update({ phase, progress: fraction, log: log.text(), log_truncated: log.truncated } as never);
      log.dirty = false;
      await job?.progress(fraction, phase).catch(() => undefined);
    };
    await store
      .deployments()
      .where({ id: row.id })
      .update({
        status: 'running',
        started_at: started,
        finished_at: null,
        error: null,
        attempts: row.attempts + 1,
        log: '',
      } as never);
    const flusher = setInterval(() => {
      if (!log.dirty) return;
      log.dirty = false;
      void store
        .deployments()
        .where({ id: row.id })
        .update({ log: log.text(), log_truncated: log.truncated } as never)
        .catch(() => undefined);
    }, 1000);
    let disk: SiteDisk | null = null;
    let made: string | null = null;
    try {
      const tree = await this.treeOf(site);
      const who = this.identity(tree);
      disk = { root: tree.root, ...who, treeGid: tree.gid, env: { PATH, HOME: tree.root, LANG: 'C.UTF-8' } };
      await ensureReleasesDir(disk);
      const conn = await store.connection(site.id);
      if (row.trigger === 'rollback') {
        await progress(0.5, `rolling back to release ${row.release}`);
        const names = await listReleases(disk);
        if (!row.release || !names.includes(row.release)) throw new DeployFailed('that release is no longer on disk');
        if (!(await webRootIsInside(disk, row.release, row.web_root)))
          throw new DeployFailed(`the release has no folder ${row.web_root || '.'}`);
        await this.switch(disk, row, site, conn);
      } else {
        await this.clearLeftovers(disk, site.id);
        made = releaseName(started, row.id);
        await store
          .deployments()
          .where({ id: row.id })
          .update({ release: made } as never);
        await progress(0.1, `cloning ${row.branch} of ${row.repository_url}`);
        const sha = await this.clone(disk, row, made, log);
        await store
          .deployments()
          .where({ id: row.id })
          .update({ commit_sha: sha } as never);
        log.line(`commit ${sha}`);
        await removeInRelease(disk, made, '.git');
        if (row.build_command) {
          await progress(0.4, `building: ${row.build_command}`);
          await this.build(disk, row, made, log, sha);
        }
        if (!(await webRootIsInside(disk, made, row.web_root)))
          throw new DeployFailed(`the release has no folder ${row.web_root || '.'} to serve (web root)`);
        await progress(0.9, `switching to release ${made}`);
        await this.switch(disk, { ...row, release: made }, site, conn);
        made = null;
        await this.prune(disk, site.id, conn?.keep_releases ?? config.defaultKeepReleases, log);
      }
      log.line(`==> done in ${((this.d.now().getTime() - started.getTime()) / 1000).toFixed(1)} s`);
      await this.finish(row.id, 'succeeded', { phase: 'done', progress: 1, log: log.text(), log_truncated: log.truncated });
      await job?.progress(1, 'done').catch(() => undefined);
      return 'succeeded';
    } catch (err) {
      const message = err instanceof DeployFailed ? err.message : `${(err as Error).message}`;
      if (!(err instanceof DeployFailed)) logger.warn({ err, deploymentId: row.id }, 'a deployment failed');
      log.line(`==> failed: ${message}`);
      if (disk && made) {
        await removeRelease(disk, made).catch((e: unknown) => logger.warn({ err: e }, 'could not remove a failed release'));
        log.line('the site keeps serving its previous release');
      }
      await this.finish(row.id, 'failed', { error: message.slice(0, 2000), log: log.text(), log_truncated: log.truncated });
      return 'failed';
    } finally {
      clearInterval(flusher);
    }
  }

  /** Switch, then record what is served (and the initial release made from the old document root). */
  private async switch(disk: SiteDisk, row: DeploymentRow, site: SiteRow, conn: ConnectionRow | undefined): Promise<void> {
    const { store } = this.d;
    const at = this.d.now();
    const initial = await switchTo(disk, row.release!, row.web_root, initialReleaseName(at));
    await store.db.transaction(async (trx) => {
      if (initial) {
        await store.deployments(trx).insert({
          website_id: site.id,
          owner_id: site.owner_id,
          trigger: 'initial',
          status: 'succeeded',
          release: initial,
          web_root: '',
          log: 'What the website served before its first deployment, kept as a release.\n',
          progress: 1,
          // Listed just before the deployment that made it.
          queued_at: new Date(row.queued_at.getTime() - 1),
          started_at: at,
          finished_at: new Date(at.getTime() - 1),
        } as never);
      }
      if (conn)
        await store
          .connections(trx)
          .where({ website_id: site.id })
          .update({ current_deployment_id: row.id } as never);
    });
  }

  /** Release folders no succeeded deployment keeps (a killed run's half-made clone): removed. */
  private async clearLeftovers(disk: SiteDisk, websiteId: string): Promise<void> {
    const kept = new Set(
      (
        (await this.d.store
          .deployments()
          .where({ website_id: websiteId, status: 'succeeded', release_removed: false })
          .whereNotNull('release')
          .select('release')) as Array<{ release: string }>
      ).map((r) => r.release),
    );
    const live = await currentRelease(disk);
    if (live) kept.add(live);
    for (const name of await listReleases(disk)) if (!kept.has(name)) await removeRelease(disk, name);
  }

  /** Keep the `keep` releases served most recently (the live one always); remove the rest. */
  private async prune(disk: SiteDisk, websiteId: string, keep: number, log: LogBuffer): Promise<void> {
    const { store } = this.d;
    const rows = (await store
      .deployments()
      .where({ website_id: websiteId, status: 'succeeded', release_removed: false })
      .whereNotNull('release')
      .orderBy([
        { column: 'finished_at', order: 'desc' },
        { column: 'queued_at', order: 'desc' },
      ])
      .select('release')) as Array<{ release: string }>;
    // The live release first (its own row is not marked succeeded yet), then the most recently served.
    const live = await currentRelease(disk);
    const order: string[] = live ? [live] : [];
    for (const r of rows) if (!order.includes(r.release)) order.push(r.release);
    const drop = order.slice(keep);
    for (const name of drop) {
      await removeRelease(disk, name);
      log.line(`removed old release ${name}`);
    }
    if (drop.length)
      await store
        .deployments()
        .where({ website_id: websiteId })
        .whereIn('release', drop)
        .update({ release_removed: true } as never);
  }

  private async clone(disk: SiteDisk, row: DeploymentRow, name: string, log: LogBuffer): Promise<string> {
    const config = this.d.config();
    const url = row.repository_url ?? '';
    // Checked again: the row was written by an earlier version, or the admin changed allowLocalRepositories since.
    const kind = checkRepositoryUrl(url, config.allowLocalRepositories);
    checkBranch(row.branch ?? '');
    const env: Record<string, string> = {
      ...disk.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      // Transports that run programs (ext::, fd::) are never allowed, submodules included.
      GIT_ALLOW_PROTOCOL: kind === 'local' ? 'file' : 'https:ssh',
    };
    let keyDir: string | null = null;
    let knownHosts: string | null = null;
    let pinned: string | null = null;
    try {
      if (kind === 'ssh') {
        const key = await this.d.secrets.get(deployKeyName(row.website_id));
        if (!key) throw new DeployFailed('the site has no deploy key: connect the repository again');
        keyDir = await mkdtemp(path.join(tmpdir(), 'hostplane-deploy-'));
        if (disk.uid !== null) await fs.chown(keyDir, disk.uid, disk.gid ?? -1);
        const keyFile = path.join(keyDir, 'id');
        await writeFile(keyFile, key, { mode: 0o600 });
        if (disk.uid !== null) await fs.chown(keyFile, disk.uid, disk.gid ?? -1);
        // The host keys seen at the first clone are pinned: accept-new adds keys only for a host not yet known.
        knownHosts = path.join(keyDir, 'known_hosts');
        const conn = await this.d.store.connection(row.website_id);
        pinned = conn?.repository_url === url ? conn.known_hosts : null;
        await writeFile(knownHosts, pinned ?? '', { mode: 0o600 });
        if (disk.uid !== null) await fs.chown(knownHosts, disk.uid, disk.gid ?? -1);
        env.GIT_SSH_COMMAND = `ssh -i ${keyFile} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${knownHosts}`;
      }
      const argv = [
        'git',
        'clone',
        '--depth',
        '1',
        '--single-branch',
        '--no-tags',
        '--branch',
        row.branch!,
        '--',
        url,
        `${RELEASES}/${name}`,
      ];
      log.line(`$ ${argv.join(' ')}`);
      const r = await runAs({
        argv,
        cwd: disk.root,
        uid: disk.uid,
        gid: disk.gid,
        env,
        timeoutMs: config.cloneTimeoutSeconds * 1000,
        onOutput: (c) => log.push(c),
      });
      if (r.timedOut) throw new DeployFailed(`the clone took longer than ${config.cloneTimeoutSeconds} s`);
      if (r.startError) throw new DeployFailed(`git could not start: ${r.startError}`);
      if (r.exitCode !== 0) throw new DeployFailed(`git clone failed (exit code ${r.exitCode})`);
      if (knownHosts && !pinned) {
        const seen = (await fs.readFile(knownHosts, 'utf8').catch(() => '')).slice(0, 65_536);
        if (seen.trim()) {
          await this.d.store
            .connections()
            .where({ website_id: row.website_id, repository_url: url })
            .whereNull('known_hosts')
            .update({ known_hosts: seen } as never);
          log.line('the repository host’s keys are now pinned for this site');
        }
      }
    } finally {
      if (keyDir) await rm(keyDir, { recursive: true, force: true });
    }
    let out = '';
    const r = await runAs({
      argv: ['git', '-C', `${RELEASES}/${name}`, 'rev-parse', 'HEAD'],
      cwd: disk.root,
      uid: disk.uid,
      gid: disk.gid,
      env,
      timeoutMs: 30_000,
      onOutput: (c) => (out += c.toString('utf8')),
    });
    const sha = out.trim();
    if (r.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(sha))
      throw new DeployFailed(`could not read the commit: ${sha.slice(0, 200)}`);
    return sha;
  }

  private async build(disk: SiteDisk, row: DeploymentRow, name: string, log: LogBuffer, sha: string): Promise<void> {
    const config = this.d.config();
    log.line(`$ ${row.build_command}`);
    const r = await runAs({
      argv: [config.shell, '-c', row.build_command!],
      cwd: path.join(disk.root, RELEASES, name),
      uid: disk.uid,
      gid: disk.gid,
      env: { ...disk.env, SHELL: config.shell, HOSTPLANE_RELEASE: name, HOSTPLANE_COMMIT: sha },
      timeoutMs: config.buildTimeoutSeconds * 1000,
      onOutput: (c) => log.push(c),
    });
    if (r.timedOut) throw new DeployFailed(`the build took longer than ${config.buildTimeoutSeconds} s and was stopped`);
    if (r.startError) throw new DeployFailed(`the build could not start: ${r.startError}`);
    if (r.exitCode !== 0) throw new DeployFailed(`the build failed (exit code ${r.exitCode})`);
  }
}
