/**
 * The platform services the kernel offers plugins, and their refs. A plugin receives a service
 * only when it declared the capability the ref names (see `permissions` in the manifest).
 */
import type { Knex } from 'knex';
import type { EventsService } from './events.js';
import type { JobsService, JobInfo, TasksService } from './jobs.js';
import type { Logger } from './logger.js';
import { createServiceRef } from './service-ref.js';
import type { TenancyService, UsersService } from './users.js';
import type { LimitsService } from './limits.js';
import type { ExtensionPoint } from './extension-points.js';
import type { MailBrand, MailTemplate, TemplateMailInput } from './mail-templates.js';
import type { TSchema } from '@sinclair/typebox';
import type { PlatformStateService } from './platform-state.js';

/**
 * The database as a plugin sees it: knex plus its own schema. Every query runs as the plugin's
 * own PostgreSQL role, which owns its schema and reaches outside it only what its declared
 * capabilities and other plugins' declared shares allow (see `PluginDatabaseAccess`).
 */
export interface DatabaseService {
  /**
   * The plugin's own pool, logged in as its own role (never the host's). Prefer
   * {@link DatabaseService.table} for own tables.
   */
  readonly knex: Knex;
  /** This plugin's schema, `plugin_<id with _>`. */
  readonly schema: string;
  /** Query builder on a table of the plugin's own schema. */
  table<TRecord extends object = Record<string, unknown>>(name: string, trx?: Knex.Transaction): Knex.QueryBuilder<TRecord>;
  /** Run `fn` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
}

/** A file sent with a mail. */
export interface MailAttachment {
  /** The name the recipient sees, e.g. `INV-2026-0001.pdf` (one line, at most 255 characters). */
  filename: string;
  /** MIME type, e.g. `application/pdf`. */
  contentType: string;
  content: Uint8Array;
}

/** A mail to send. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Free-form tag for finding the mail later (e.g. `auth.verify-email`). */
  tag?: string;
  /**
   * Display name of the sender (e.g. the reseller issuing an invoice); the address is the
   * platform's (`HOSTPLANE_MAIL_FROM`), so receivers' SPF/DKIM checks still pass.
   */
  fromName?: string;
  /** Where replies go, e.g. the issuer's own support address. */
  replyTo?: string;
  /** At most 10 MB in all. */
  attachments?: MailAttachment[];
}

/**
 * The mailer (`coreServices.mailer`). Every mail is written to the durable outbox; when SMTP is
 * configured (`HOSTPLANE_SMTP_URL`) the host delivers it from there, with retries, at most once.
 */
export interface MailerService {
  /** Queue a mail; returns the outbox id. Inside `trx`, it exists only if the transaction commits. */
  send(message: MailMessage, options?: { trx?: Knex.Transaction }): Promise<{ id: string }>;
  /**
   * Render `template` with `input.variables` (checked against its schema) in the layout of the
   * issuer's brand, and queue it like {@link MailerService.send}: tagged with the template id,
   * sent in the issuer's name, replies to the brand's address unless `input.replyTo` says otherwise.
   */
  sendTemplate<S extends TSchema>(
    template: MailTemplate<S>,
    input: TemplateMailInput<S>,
    options?: { trx?: Knex.Transaction },
  ): Promise<{ id: string }>;
  /** The brand mails from `issuer` (or to `recipientId`) carry; see {@link TemplateMailInput.issuer}. */
  brand(from: { issuer?: string; recipientId?: string }): Promise<MailBrand>;
}

/** One audit-log entry. */
export interface AuditEntry {
  /** What happened, `<area>.<resource>.<verb>`, e.g. `auth.session.created`. */
  action: string;
  /** User id of who did it; null for the system. */
  actorId?: string | null;
  /** What it was done to, e.g. `{ type: 'website', id }`. */
  target?: { type: string; id: string } | null;
  /** Extra data; never secrets. */
  details?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
}

/** The audit log (`coreServices.audit`). */
export interface AuditService {
  record(entry: AuditEntry, options?: { trx?: Knex.Transaction }): Promise<void>;
}

/** Key/value settings private to a plugin, stored in PostgreSQL. */
export interface SettingsService {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Secrets private to a plugin (`coreServices.secrets`): values the plugin makes itself (a
 * repository password, an API key it was handed at run time) stored encrypted with the
 * platform's key (AES-256-GCM, bound to the plugin id and the name), re-encrypted by
 * `hostplane secrets rotate-key`, and readable by no other plugin. Config values an admin types
 * belong in the config schema with `Secret(...)` instead.
 */
export interface SecretsService {
  /** The value stored under `name`, decrypted; undefined when none is stored. */
  get(name: string): Promise<string | undefined>;
  /** Store `value` under `name` (encrypted), replacing what was there. */
  set(name: string, value: string): Promise<void>;
  /**
   * The value under `name`, or `make()`'s result stored and returned when none is. Safe against
   * concurrent callers: every caller answers the one value that was stored.
   */
  getOrCreate(name: string, make: () => string): Promise<string>;
  delete(name: string): Promise<void>;
  /** Names stored by this plugin. */
  list(): Promise<string[]>;
}

/** Time, injectable so tests can move it. */
export interface ClockService {
  now(): Date;
}

/** Read access to job state (`coreServices.jobAdmin`), for plugins that show progress. */
export interface JobStatusService {
  get(id: string): Promise<JobInfo | undefined>;
}

/** Implementations of extension points from started plugins (`coreServices.extensions`). */
export interface ExtensionsService {
  /** Every implementation of `point` from plugins started now; look up on each use, they come and go. */
  list<T>(point: ExtensionPoint<T>): T[];
}

/** Refs of every platform service. */
export const coreServices = {
  /** Child logger bound to the plugin. */
  logger: createServiceRef<Logger>('core.logger'),
  /** Time as the platform reads it (a test host moves it; never read `Date` for business rules). */
  clock: createServiceRef<ClockService>('core.clock'),
  /** knex + own schema. Needs `db`. */
  database: createServiceRef<DatabaseService>('core.database', { capability: 'db' }),
  /** Typed events. Needs `events:emit` (subscribing is done in setup and needs `events:subscribe`). */
  events: createServiceRef<EventsService>('core.events', { capability: 'events:emit' }),
  /** Durable jobs. Needs `jobs`. */
  jobs: createServiceRef<JobsService>('core.jobs', { capability: 'jobs' }),
  /** Job state. Needs `jobs`. */
  jobStatus: createServiceRef<JobStatusService>('core.jobStatus', { capability: 'jobs' }),
  /** Worker-pool tasks. Needs `tasks`. */
  tasks: createServiceRef<TasksService>('core.tasks', { capability: 'tasks' }),
  /** Audit log. Needs `audit`. */
  audit: createServiceRef<AuditService>('core.audit', { capability: 'audit' }),
  /** Mailer. Needs `mailer`. */
  mailer: createServiceRef<MailerService>('core.mailer', { capability: 'mailer' }),
  /** Platform users (read, create, passwords, status, permissions). Needs `users`. */
  users: createServiceRef<UsersService>('core.users', { capability: 'users' }),
  /** Subscription resource limits, enforced atomically. Needs `limits`. */
  limits: createServiceRef<LimitsService>('core.limits', { capability: 'limits' }),
  /** The ownership rule for queries. */
  tenancy: createServiceRef<TenancyService>('core.tenancy'),
  /** Implementations of extension points (web server drivers, DNS providers …). */
  extensions: createServiceRef<ExtensionsService>('core.extensions'),
  /** Plugin-private settings. Needs `settings`. */
  settings: createServiceRef<SettingsService>('core.settings', { capability: 'settings' }),
  /** Plugin-private secrets, encrypted at rest. Needs `secrets`. */
  secrets: createServiceRef<SecretsService>('core.secrets', { capability: 'secrets' }),
  /** The platform's database dump and state files (platform backups). Needs `platform:dump`. */
  platformState: createServiceRef<PlatformStateService>('core.platformState', { capability: 'platform:dump' }),
} as const;
