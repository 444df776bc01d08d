/**
 * The platform services one plugin may receive, each bound to that plugin (its schema, its
 * log bindings, its job-name prefix, its audit source). Registered into the plugin's child
 * container only for the capabilities it declared.
 */
import {
  coreServices,
  extensionPoints,
  type MailBranding,
  type ClockService,
  type ExtensionsService,
  type JobsService,
  type Logger,
  type PlatformStateService,
  type ServiceRef,
  type TasksService,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { EventBus } from './events/event-bus.js';
import { createSecretsService, type SecretSealer } from './secrets/plugin-secrets.js';
import { pluginSchemaName } from './db/plugin-migrator.js';
import { platformStateFor } from './platform-state.js';
import { JobErrors } from './jobs/errors.js';
import type { JobEngine, TaskPool } from './jobs/index.js';
import {
  createAuditService,
  createMailerService,
  createPluginDatabase,
  createSettingsService,
  createLimitsService,
  createTenancyService,
  createUsersService,
} from './services/index.js';

/** What the factories draw on. */
export interface PlatformDeps {
  knex: Knex;
  logger: Logger;
  clock: ClockService;
  events: EventBus;
  jobs: JobEngine;
  tasks: TaskPool;
  /** Permissions of a role (RBAC). */
  permissionsOfRole(role: string): Set<string>;
  /** maxAttempts of a defined job, if a started plugin defined it. */
  jobMaxAttempts(name: string): number | undefined;
  /** Implementations of an extension point from started plugins. */
  extensions(point: string): unknown[];
  /** Limit keys the started plugins enforce (their definitions' `limits`). */
  enforcedLimits(): string[];
  /** The kernel's keyring, for plugin secrets (opened after the deps are made). */
  sealer(): SecretSealer;
  /** The platform's database dump and state files (`platform:dump`). */
  platformState: PlatformStateService;
}

/** A name without `:` belongs to the caller. */
export function qualify(pluginId: string, name: string): string {
  return name.includes(':') ? name : `${pluginId}:${name}`;
}

/** Factories for every platform service, bound to `pluginId`. */
export function platformServicesFor(
  pluginId: string,
  deps: PlatformDeps,
  database: Knex | undefined,
): Array<{ ref: ServiceRef<unknown>; factory: () => unknown }> {
  const jobs: JobsService = {
    enqueue: (name, payload, options = {}) => {
      const full = qualify(pluginId, name);
      // Another plugin's job would run with that plugin's rights on this one's say-so.
      if (!full.startsWith(`${pluginId}:`)) return Promise.reject(JobErrors.notOwnJob(pluginId, full));
      const maxAttempts = options.maxAttempts ?? deps.jobMaxAttempts(full) ?? 5;
      return deps.jobs.enqueue(full, payload, { ...options, maxAttempts });
    },
    enqueueMany: (name, batch, options = {}) => {
      const full = qualify(pluginId, name);
      if (!full.startsWith(`${pluginId}:`)) return Promise.reject(JobErrors.notOwnJob(pluginId, full));
      const maxAttempts = options.maxAttempts ?? deps.jobMaxAttempts(full) ?? 5;
      return deps.jobs.enqueueMany(full, batch, { ...options, maxAttempts });
    },
  };
  const tasks: TasksService = {
    run: <I, O>(name: string, input: I) => deps.tasks.run(qualify(pluginId, name), input) as Promise<O>,
  };
  const entries: Array<[ServiceRef<unknown>, () => unknown]> = [
    [coreServices.logger, () => deps.logger.child({ plugin: pluginId })],
    [coreServices.clock, () => deps.clock],
    [coreServices.extensions, () => ({ list: (point: { id: string }) => deps.extensions(point.id) }) as ExtensionsService],
    [coreServices.events, () => deps.events.forSource(pluginId)],
    [coreServices.jobs, () => jobs],
    [coreServices.jobStatus, () => ({ get: (id: string) => deps.jobs.get(id) })],
    [coreServices.tasks, () => tasks],
    [coreServices.audit, () => createAuditService(deps.knex, pluginId)],
    [
      coreServices.mailer,
      () => createMailerService(deps.knex, pluginId, () => deps.extensions(extensionPoints.mailBranding.id) as MailBranding[]),
    ],
    [coreServices.settings, () => createSettingsService(deps.knex, `plugin:${pluginId}`)],
    [
      coreServices.users,
      () =>
        createUsersService({
          knex: deps.knex,
          events: deps.events.forSource(pluginId),
          permissionsOfRole: deps.permissionsOfRole,
        }),
    ],
    [coreServices.tenancy, () => createTenancyService(deps.knex)],
    [coreServices.limits, () => createLimitsService(deps.knex, deps.enforcedLimits)],
    [coreServices.secrets, () => createSecretsService(deps.knex, pluginId, deps.sealer())],
    [coreServices.platformState, () => platformStateFor(deps.platformState, pluginSchemaName(pluginId))],
  ];
  // Only its own pool, as its own role: never the host's.
  if (database) entries.push([coreServices.database, () => createPluginDatabase(database, pluginId)]);
  return entries.map(([ref, factory]) => ({ ref, factory }));
}
