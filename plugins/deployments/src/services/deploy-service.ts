/**
 * Requests about a site's deployments: connect a repository (making the webhook secret and,
 * for ssh, the deploy key), disconnect, deploy now, roll back, and pushes arriving by webhook.
 * Each deployment is a row plus a durable job enqueued in the same transaction: it exists only
 * if both do. The job (runner.ts) does the work as the site's user.
 */
import { randomBytes } from 'node:crypto';
import type { Actor, AuditService, JobsService, SecretsService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { DeploymentsConfig } from '../config.js';
import { DeployErrors } from '../errors.js';
import type { ConnectionRow, DeploymentRow, DeployStore, DeployTrigger, SiteRow } from '../store.js';
import { checkBranch, checkRepositoryUrl, normaliseBuildCommand, normaliseWebRoot } from '../validate.js';
import { makeDeployKey } from './keys.js';
import { parsePush, verify } from './webhooks.js';

export const DEPLOY_JOB = 'deploy-website';

export interface RequestInfo {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface ConnectInput {
  repositoryUrl: string;
  branch: string;
  buildCommand?: string | null;
  webRoot?: string;
  keepReleases?: number;
}

export interface HookResult {
  deployed: boolean;
  duplicate: boolean;
  deploymentId: string | null;
  reason: string | null;
}

export const hookSecretName = (websiteId: string) => `hook:${websiteId}`;
export const deployKeyName = (websiteId: string) => `key:${websiteId}`;
const newSecret = () => randomBytes(32).toString('base64url');

export interface DeployServiceDeps {
  store: DeployStore;
  audit: AuditService;
  jobs: JobsService;
  secrets: SecretsService;
  config: () => DeploymentsConfig;
}

export class DeployService {
  constructor(private readonly d: DeployServiceDeps) {}

  private async audit(
    info: RequestInfo,
    action: string,
    websiteId: string,
    details: Record<string, unknown>,
    trx: Knex.Transaction,
  ) {
    await this.d.audit.record(
      {
        action,
        actorId: info.actorId,
        target: { type: 'website', id: websiteId },
        details,
        ip: info.ip ?? null,
        requestId: info.requestId ?? null,
      },
      { trx },
    );
  }

  /**
   * Connect (or change the connection of) a site. Returns the webhook secret when this call
   * made it (the first connect): it is shown once; `rotateSecret` makes a new one.
   */
  async connect(
    actor: Actor,
    websiteId: string,
    input: ConnectInput,
    info: RequestInfo,
  ): Promise<{ row: ConnectionRow; webhookSecret: string | null }> {
    const { store, secrets } = this.d;
    const config = this.d.config();
    const kind = checkRepositoryUrl(input.repositoryUrl, config.allowLocalRepositories);
    checkBranch(input.branch);
    const webRoot = normaliseWebRoot(input.webRoot ?? '');
    const build = normaliseBuildCommand(input.buildCommand);
    const keep = input.keepReleases ?? config.defaultKeepReleases;
    if (keep > config.maxKeepReleases) throw DeployErrors.tooManyReleases(config.maxKeepReleases);
    const site = await store.siteFor(actor, websiteId);
    const before = await store.connection(site.id);
    // ssh needs a key: made once per site (outside the transaction: ssh-keygen is a process).
    let publicKey = before?.public_key ?? null;
    if (kind === 'ssh' && !publicKey) {
      const key = await makeDeployKey(`hostplane-deploy-${site.name}`);
      await secrets.set(deployKeyName(site.id), key.privateKey);
      publicKey = key.publicKey;
    }
    let webhookSecret: string | null = null;
    if (!before || !(await secrets.get(hookSecretName(site.id)))) {
      webhookSecret = newSecret();
      await secrets.set(hookSecretName(site.id), webhookSecret);
    }
    const row = await store.db.transaction(async (trx) => {
      const s = await store.siteFor(actor, websiteId, trx);
      const values = {
        repository_url: input.repositoryUrl,
        branch: input.branch,
        build_command: build,
        web_root: webRoot,
        keep_releases: keep,
        public_key: publicKey,
        // Another repository may live on another host: its keys are learnt anew at the next clone.
        ...(before && before.repository_url !== input.repositoryUrl ? { known_hosts: null } : {}),
        updated_at: trx.fn.now(),
      };
      const [saved] = (await store
        .connections(trx)
        .insert({ website_id: s.id, owner_id: s.owner_id, created_by: info.actorId, ...values } as never)
        .onConflict('website_id')
        .merge(values as never)
        .returning('*')) as ConnectionRow[];
      await this.audit(
        info,
        before ? 'deployments.connection.updated' : 'deployments.connection.created',
        s.id,
        { repositoryUrl: input.repositoryUrl, branch: input.branch },
        trx,
      );
      return saved!;
    });
    return { row, webhookSecret };
  }

  async connectionFor(actor: Actor, websiteId: string): Promise<ConnectionRow> {
    const site = await this.d.store.siteFor(actor, websiteId);
    const row = await this.d.store.connection(site.id);
    if (!row) throw DeployErrors.notConnected();
    return row;
  }

  /** A new webhook secret (the old one stops working at once); shown once. */
  async rotateSecret(actor: Actor, websiteId: string, info: RequestInfo): Promise<string> {
    const row = await this.connectionFor(actor, websiteId);
    const secret = newSecret();
    await this.d.secrets.set(hookSecretName(row.website_id), secret);
    await this.d.store.db.transaction((trx) => this.audit(info, 'deployments.webhook-secret.rotated', row.website_id, {}, trx));
    return secret;
  }

  /** Forget the repository, the key and the secret; releases and history stay. */
  async disconnect(actor: Actor, websiteId: string, info: RequestInfo): Promise<void> {
    const { store, secrets } = this.d;
    const site = await store.siteFor(actor, websiteId);
    await store.db.transaction(async (trx) => {
      const n = await store.connections(trx).where({ website_id: site.id }).delete();
      if (!n) throw DeployErrors.notConnected();
      await this.audit(info, 'deployments.connection.deleted', site.id, {}, trx);
    });
    await secrets.delete(hookSecretName(site.id));
    await secrets.delete(deployKeyName(site.id));
  }

  private async enqueue(
    trx: Knex.Transaction,
    site: SiteRow,
    conn: ConnectionRow,
    trigger: DeployTrigger,
    extra: Partial<DeploymentRow>,
  ): Promise<DeploymentRow | null> {
    const q = this.d.store.deployments(trx).insert({
      website_id: site.id,
      owner_id: site.owner_id,
      trigger,
      status: 'queued',
      repository_url: conn.repository_url,
      branch: conn.branch,
      build_command: conn.build_command,
      web_root: conn.web_root,
      ...extra,
    } as never);
    // A delivery the Git host retried: the first one's deployment stands.
    const rows = (await (
      extra.delivery_id
        ? q.onConflict(this.d.store.db.knex.raw('(website_id, delivery_id) where delivery_id is not null')).ignore()
        : q
    ).returning('*')) as DeploymentRow[];
    const row = rows[0];
    if (!row) return null;
    await this.d.jobs.enqueue(DEPLOY_JOB, { deploymentId: row.id }, { trx, jobKey: `deploy:${row.id}`, maxAttempts: 10 });
    return row;
  }

  /** Deploy the branch's newest commit now (202: queued). */
  async deployNow(actor: Actor, websiteId: string, info: RequestInfo): Promise<DeploymentRow> {
    const { store } = this.d;
    return store.db.transaction(async (trx) => {
      const site = await store.siteFor(actor, websiteId, trx);
      if (site.desired !== 'active') throw DeployErrors.siteNotActive();
      const conn = await store.connection(site.id, trx);
      if (!conn) throw DeployErrors.notConnected();
      const row = (await this.enqueue(trx, site, conn, 'manual', { created_by: info.actorId }))!;
      await this.audit(info, 'deployments.deployment.requested', site.id, { deploymentId: row.id }, trx);
      return row;
    });
  }

  /** Serve a kept release of an earlier deployment again (202: queued behind any running deploy). */
  async rollback(actor: Actor, websiteId: string, deploymentId: string, info: RequestInfo): Promise<DeploymentRow> {
    const { store } = this.d;
    return store.db.transaction(async (trx) => {
      const site = await store.siteFor(actor, websiteId, trx);
      if (site.desired !== 'active') throw DeployErrors.siteNotActive();
      const target = await store.one(site.id, deploymentId, trx);
      if (target.status !== 'succeeded' || !target.release) throw DeployErrors.notRollbackable('it did not succeed');
      if (target.release_removed) throw DeployErrors.notRollbackable('its release is no longer kept');
      const conn = (await store.connection(site.id, trx)) ?? null;
      const row = (await this.d.store
        .deployments(trx)
        .insert({
          website_id: site.id,
          owner_id: site.owner_id,
          trigger: 'rollback',
          status: 'queued',
          repository_url: target.repository_url ?? conn?.repository_url ?? null,
          branch: target.branch,
          web_root: target.web_root,
          release: target.release,
          commit_sha: target.commit_sha,
          rollback_of: target.id,
          created_by: info.actorId,
        } as never)
        .returning('*')) as DeploymentRow[];
      await this.d.jobs.enqueue(
        DEPLOY_JOB,
        { deploymentId: row[0]!.id },
        { trx, jobKey: `deploy:${row[0]!.id}`, maxAttempts: 10 },
      );
      await this.audit(info, 'deployments.rollback.requested', site.id, { deploymentId: row[0]!.id, to: target.id }, trx);
      return row[0]!;
    });
  }

  /** A webhook delivery: verified, then a deployment when it is a push to the connected branch. */
  async receiveHook(
    hookId: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
    info: RequestInfo,
  ): Promise<HookResult> {
    const { store, secrets } = this.d;
    const conn = await store.connectionByHook(hookId);
    if (!conn) throw DeployErrors.hookNotFound();
    const secret = await secrets.get(hookSecretName(conn.website_id));
    if (!secret) throw DeployErrors.hookNotFound();
    const provider = verify(headers, body, secret);
    const push = parsePush(provider, headers, body);
    const skip = (reason: string): HookResult => ({ deployed: false, duplicate: false, deploymentId: null, reason });
    if (!push.isPush) return skip(`not a push (${push.event || 'no event'})`);
    if (push.branch !== conn.branch) return skip(`a push to ${push.branch ?? 'a tag'}, not to ${conn.branch}`);
    if (push.after && /^0+$/.test(push.after)) return skip('the branch was deleted');
    return store.db.transaction(async (trx) => {
      const site = await store.site(conn.website_id, trx);
      if (!site || site.desired !== 'active') return skip('the website is not active');
      const current = await store.connection(site.id, trx, true);
      if (!current || current.hook_id !== hookId) throw DeployErrors.hookNotFound();
      const row = await this.enqueue(trx, site, current, 'webhook', { delivery_id: push.deliveryId });
      if (!row) {
        const first = (await store.deployments(trx).where({ website_id: site.id, delivery_id: push.deliveryId }).first('id')) as
          { id: string } | undefined;
        return { deployed: false, duplicate: true, deploymentId: first?.id ?? null, reason: 'this delivery was received before' };
      }
      await this.audit(
        { ...info, actorId: null },
        'deployments.deployment.requested',
        site.id,
        { deploymentId: row.id, via: provider, delivery: push.deliveryId },
        trx,
      );
      return { deployed: true, duplicate: false, deploymentId: row.id, reason: null };
    });
  }

  /** Connections and history of websites that are gone: deleted with their secrets (files went with the site). */
  async forgetDeletedSites(): Promise<number> {
    const { store, secrets } = this.d;
    const gone = (await store
      .connections()
      .whereNotExists(
        store.db.knex
          .from('plugin_websites.websites as w')
          .whereRaw(`w.id = ${store.db.schema}.connections.website_id`)
          .whereNot('w.desired', 'deleted'),
      )
      .select('website_id')) as Array<{ website_id: string }>;
    for (const { website_id } of gone) {
      await store.db.transaction(async (trx) => {
        await store.connections(trx).where({ website_id }).delete();
        await store.deployments(trx).where({ website_id }).delete();
      });
      await secrets.delete(hookSecretName(website_id));
      await secrets.delete(deployKeyName(website_id));
    }
    return gone.length;
  }
}
