/**
 * The connections and deployments tables, their API views, and the read of websites' shared
 * `websites` table (which sites exist, whose they are, whether they are live, where they are
 * served from).
 */
import { Type, type Actor, type DatabaseService, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { DeployErrors } from './errors.js';

/** `skipped`: a newer deployment of the site was asked for before this one ran (it deploys the branch's head anyway). */
export type DeployStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';
export type DeployTrigger = 'manual' | 'webhook' | 'rollback' | 'initial';

export interface ConnectionRow {
  website_id: string;
  owner_id: string;
  repository_url: string;
  branch: string;
  build_command: string | null;
  web_root: string;
  keep_releases: number;
  hook_id: string;
  public_key: string | null;
  known_hosts: string | null;
  current_deployment_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeploymentRow {
  id: string;
  website_id: string;
  owner_id: string;
  trigger: DeployTrigger;
  status: DeployStatus;
  repository_url: string | null;
  branch: string | null;
  build_command: string | null;
  web_root: string;
  release: string | null;
  rollback_of: string | null;
  commit_sha: string | null;
  delivery_id: string | null;
  phase: string | null;
  progress: number;
  log: string;
  log_truncated: boolean;
  error: string | null;
  release_removed: boolean;
  attempts: number;
  created_by: string | null;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface SiteRow {
  id: string;
  name: string;
  owner_id: string;
  desired: 'active' | 'suspended' | 'deleted';
  document_root: string | null;
}

const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const ConnectionSchema = Type.Object({
  websiteId: Type.String({ format: 'uuid' }),
  connected: Type.Literal(true, { description: 'Always true: a site without a connection answers 404' }),
  repositoryUrl: Type.String(),
  branch: Type.String(),
  buildCommand: Type.Union([Type.String(), Type.Null()]),
  webRoot: Type.String({ description: 'Folder of the release the site serves (`""`: the release itself)' }),
  keepReleases: Type.Integer(),
  webhookPath: Type.String({ description: 'POST here from GitHub, GitLab or Gitea (no sign-in; signed with the secret)' }),
  deployKey: Type.Union([Type.String(), Type.Null()], {
    description: 'Public half of the site’s deploy key (ssh repositories): add it to the repository as a read-only key',
  }),
  currentDeploymentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ConnectionView = Static<typeof ConnectionSchema>;

export function connectionView(row: ConnectionRow): ConnectionView {
  return {
    websiteId: row.website_id,
    connected: true,
    repositoryUrl: row.repository_url,
    branch: row.branch,
    buildCommand: row.build_command,
    webRoot: row.web_root,
    keepReleases: row.keep_releases,
    webhookPath: `/v1/deployments/hooks/${row.hook_id}`,
    deployKey: row.public_key,
    currentDeploymentId: row.current_deployment_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const Status = Type.Union(['queued', 'running', 'succeeded', 'failed', 'skipped'].map((s) => Type.Literal(s)));
const Trigger = Type.Union(['manual', 'webhook', 'rollback', 'initial'].map((s) => Type.Literal(s)));

export const DeploymentSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  websiteId: Type.String({ format: 'uuid' }),
  trigger: Trigger,
  status: Status,
  live: Type.Boolean({ description: 'This deployment’s release is the one served now' }),
  branch: Type.Union([Type.String(), Type.Null()]),
  commitSha: Type.Union([Type.String(), Type.Null()]),
  release: Type.Union([Type.String(), Type.Null()], { description: 'Folder under `releases/`' }),
  releaseKept: Type.Boolean({ description: 'Its release is still on disk (it can be rolled back to)' }),
  rollbackOf: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  phase: Type.Union([Type.String(), Type.Null()]),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  error: Type.Union([Type.String(), Type.Null()]),
  queuedAt: Type.String({ format: 'date-time' }),
  startedAt: Time,
  finishedAt: Time,
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
});
export type DeploymentView = Static<typeof DeploymentSchema>;

export const DeploymentWithLogSchema = Type.Intersect([
  DeploymentSchema,
  Type.Object({
    log: Type.String({ description: 'The end of the clone and build output (bounded); grows while it runs' }),
    logTruncated: Type.Boolean(),
  }),
]);
export type DeploymentWithLogView = Static<typeof DeploymentWithLogSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function deploymentView(row: DeploymentRow, currentId: string | null): DeploymentView {
  return {
    id: row.id,
    websiteId: row.website_id,
    trigger: row.trigger,
    status: row.status,
    live: row.id === currentId,
    branch: row.branch,
    commitSha: row.commit_sha,
    release: row.release,
    releaseKept: row.status === 'succeeded' && row.release !== null && !row.release_removed,
    rollbackOf: row.rollback_of,
    phase: row.phase,
    progress: row.progress,
    error: row.error,
    queuedAt: row.queued_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.started_at && row.finished_at ? row.finished_at.getTime() - row.started_at.getTime() : null,
  };
}

export function deploymentWithLogView(row: DeploymentRow, currentId: string | null): DeploymentWithLogView {
  return { ...deploymentView(row, currentId), log: row.log, logTruncated: row.log_truncated };
}

/** Fields of a deployment listing (the log stays out of lists). */
const LIST_COLUMNS = [
  'id',
  'website_id',
  'owner_id',
  'trigger',
  'status',
  'branch',
  'web_root',
  'release',
  'rollback_of',
  'commit_sha',
  'phase',
  'progress',
  'error',
  'release_removed',
  'queued_at',
  'started_at',
  'finished_at',
];

export class DeployStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  connections(trx?: Knex.Transaction) {
    return this.db.table<ConnectionRow>('connections', trx);
  }

  deployments(trx?: Knex.Transaction) {
    return this.db.table<DeploymentRow>('deployments', trx);
  }

  private sites(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.db.knex).from('plugin_websites.websites').select('id', 'name', 'owner_id', 'desired', 'document_root');
  }

  /** A website (not being deleted) the actor may see; 404 otherwise (another tenant's id reads as missing). */
  async siteFor(actor: Pick<Actor, 'userId' | 'role'>, id: string, trx?: Knex.Transaction): Promise<SiteRow> {
    const q = this.tenancy.scope(this.sites(trx).where('id', id).whereNot('desired', 'deleted'), actor, 'owner_id');
    const row = (await q.first()) as SiteRow | undefined;
    if (!row) throw DeployErrors.websiteNotFound(id);
    return row;
  }

  async site(id: string, trx?: Knex.Transaction): Promise<SiteRow | undefined> {
    return (await this.sites(trx).where('id', id).first()) as SiteRow | undefined;
  }

  async connection(websiteId: string, trx?: Knex.Transaction, lock = false): Promise<ConnectionRow | undefined> {
    const q = this.connections(trx).where({ website_id: websiteId });
    if (lock) q.forUpdate();
    return (await q.first()) as ConnectionRow | undefined;
  }

  async connectionByHook(hookId: string): Promise<ConnectionRow | undefined> {
    return (await this.connections().where({ hook_id: hookId }).first()) as ConnectionRow | undefined;
  }

  async one(websiteId: string, id: string, trx?: Knex.Transaction): Promise<DeploymentRow> {
    const row = (await this.deployments(trx).where({ website_id: websiteId, id }).first()) as DeploymentRow | undefined;
    if (!row) throw DeployErrors.notFound(id);
    return row;
  }

  async byId(id: string, trx?: Knex.Transaction): Promise<DeploymentRow | undefined> {
    return (await this.deployments(trx).where({ id }).first()) as DeploymentRow | undefined;
  }

  async ofSite(websiteId: string, limit = 100): Promise<DeploymentRow[]> {
    return (await this.deployments()
      .where({ website_id: websiteId })
      .select(LIST_COLUMNS)
      .orderBy([
        { column: 'queued_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)) as DeploymentRow[];
  }
}
