/**
 * What the kernel offers the host (HTTP gateway, CLI, panel). The host depends on this
 * interface only; `Kernel` in `kernel.ts` implements it.
 */
import type {
  PluginHealth,
  AuditEntry,
  Authenticator,
  JobInfo,
  JobState,
  KernelCapability,
  Logger,
  PanelPageDefinition,
  RbacPermissionDefinition,
  RouteRegistrar,
  TObject,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { MailPreview, MailTemplateInfo } from './mail/template-catalog.js';
import type { JobEvent } from './jobs/job-engine.js';
import type { DisableImpact } from './registry/disable-impact.js';
import type { SignatureStatus } from './signing/plugin-trust.js';

export type { DisableImpact } from './registry/disable-impact.js';

/** Lifecycle states (DESIGN.md): discovered → installed → enabled → started; stop → disabled. */
export type PluginState = 'discovered' | 'installed' | 'enabled' | 'started' | 'disabled' | 'failed';

/** Where a plugin was found. */
export type PluginSource = 'first-party' | 'npm' | 'drop-in' | 'inline';

/** A plugin as listed by the API and CLI. */
export interface PluginStatus {
  id: string;
  version: string;
  displayName: string;
  description: string;
  source: PluginSource;
  /** Absolute folder of the package. */
  path: string;
  state: PluginState;
  /** Admin's wish, stored in PostgreSQL. */
  enabled: boolean;
  /** Why it failed (`state === 'failed'`), or the last handler error otherwise. */
  error: { phase: string; message: string; at: string } | null;
  /** What the plugin reported about itself while started (`degraded` with a reason), else null. */
  health: PluginHealth | null;
  permissions: KernelCapability[];
  requires: Record<string, string>;
  provides: string[];
  /** JSON schema of the plugin's config (TypeBox), if it has one. */
  configSchema: TObject | null;
  /** The package's signature: who signed it and whether this install trusts it. */
  signature: SignatureStatus;
}

/** Routes of one started plugin. */
export interface PluginRoutes {
  pluginId: string;
  /** Prefix under `/v1`, e.g. `/hello`. */
  prefix: string;
  registrar: RouteRegistrar;
}

/** A panel page with its owner. */
export interface PluginPanelPage extends PanelPageDefinition {
  pluginId: string;
}

/** A defined RBAC permission with its owner (`core` or a plugin id). */
export interface PermissionInfo extends RbacPermissionDefinition {
  name: string;
  owner: string;
}

/** Health as `/health` shows it. */
export interface KernelHealth {
  ok: boolean;
  database: { ok: boolean; latencyMs: number | null; error?: string };
  plugins: Array<{ id: string; state: PluginState; error: string | null; health: PluginHealth | null }>;
}

/** The kernel as the host sees it. */
export interface KernelApi {
  readonly logger: Logger;
  readonly knex: Knex;
  /** Every known plugin with its state. */
  plugins(): PluginStatus[];
  plugin(id: string): PluginStatus | undefined;
  /** Routes of every started plugin. */
  routes(): PluginRoutes[];
  /** Authenticators of every started plugin providing `authenticator`. */
  authenticators(): Authenticator[];
  /** Panel pages of every started plugin. */
  panelPages(): PluginPanelPage[];
  /** Every RBAC permission defined by core and started plugins. */
  permissions(): PermissionInfo[];
  /** Permissions a role holds (super_admin: all). */
  permissionsOf(role: string): Set<string>;
  /** Called after the set of started plugins (and so routes, pages) changed. Returns an unsubscribe. */
  onChange(listener: () => void | Promise<void>): () => void;
  /** Enable (install, migrate, start) a plugin and remember it. Throws a HostplaneError by code. */
  enable(id: string): Promise<PluginStatus>;
  /** What disabling a plugin takes with it (dependants, sign-in), to show before confirming. */
  disableImpact(id: string): DisableImpact;
  /**
   * Stop and disable a plugin and remember it. Refuses (409) while enabled plugins require it
   * (KERNEL_ERR_DEPENDENTS_ENABLED) unless `cascade`, and the last plugin that signs people in
   * (KERNEL_ERR_LAST_SIGN_IN_PROVIDER) unless `force` (the command line only).
   */
  disable(id: string, options?: DisableOptions): Promise<PluginStatus>;
  /** Config with secrets masked. */
  getConfig(id: string, options?: { revealSecrets?: boolean }): Promise<Record<string, unknown>>;
  /** Validate, store and apply (restart the plugin) a new config. */
  setConfig(id: string, config: Record<string, unknown>): Promise<Record<string, unknown>>;
  health(): Promise<KernelHealth>;
  /** Mark a plugin failed (e.g. its routes could not be registered) and stop it. */
  reportFailure(id: string, phase: string, error: unknown): void;
  /** Write an audit entry on behalf of the platform. */
  recordAudit(entry: AuditEntry & { source?: string }): Promise<void>;
  /** Durable jobs, as admins see them. */
  readonly jobs: JobAdmin;
  /** Mails in the outbox (delivered over SMTP when configured). */
  listOutbox(filter?: { to?: string; status?: OutboxStatus; limit?: number }): Promise<OutboxMail[]>;
  /** Send an `uncertain`, `failed` or `expired` mail again (it may arrive twice); false when not in one of those. */
  requeueMail(id: string): Promise<boolean>;
  /** Mail templates of every started plugin, by id. */
  mailTemplates(): MailTemplateInfo[];
  /**
   * Template `id` rendered with its sample for `issuer` (`platform` or a reseller's user id).
   * MAILER_ERR_TEMPLATE_NOT_FOUND (404), MAILER_ERR_ISSUER_INVALID (400).
   */
  previewMail(id: string, issuer: string): Promise<MailPreview>;
}

/** How far a disable may go. */
export interface DisableOptions {
  /** Disable the enabled plugins that require it too (dependants first). */
  cascade?: boolean;
  /** Even the last plugin that signs people in (recovery from the command line). */
  force?: boolean;
}

/** Admin view of durable jobs. */
export interface JobAdmin {
  list(filter?: { state?: JobState; name?: string; limit?: number; offset?: number }): Promise<JobInfo[]>;
  get(id: string): Promise<JobInfo | undefined>;
  /** Run a dead or retrying job again now, attempts reset. Throws JOBS_ERR_NOT_FOUND / JOBS_ERR_NOT_RETRYABLE. */
  retry(id: string): Promise<JobInfo>;
  /** Job counts by state (for metrics). */
  counts(): Promise<Record<JobState, number>>;
  /** Jobs by name and state, with the age of the oldest ready to run (for metrics and alerts). */
  queueStats(): Promise<JobQueueStat[]>;
  /** Jobs started, succeeded and failed in this process, as they happen. Returns an unsubscribe. */
  onEvent(listener: (event: JobEvent) => void): () => void;
}

/** One job name in one state. */
export interface JobQueueStat {
  name: string;
  state: JobState;
  count: number;
  /** Waiting jobs only: seconds since the oldest of them could have started; else 0. */
  oldestSeconds: number;
}

/** Where a mail is in its delivery (docs/decisions/0018). */
export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'failed', 'uncertain', 'expired'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** A mail in the outbox. */
export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  tag: string | null;
  source: string;
  fromName: string | null;
  replyTo: string | null;
  /** Names, types and sizes (bytes); the content stays in the outbox. */
  attachments: Array<{ filename: string; contentType: string; size: number }>;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  sentAt: string | null;
  createdAt: string;
}
