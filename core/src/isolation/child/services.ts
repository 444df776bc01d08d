/**
 * The platform services as an isolated plugin sees them: the same interfaces, served partly in
 * the child (its own database pool, tasks, the clock, the ownership rule) and partly by the
 * kernel over the call channel (events, jobs without a transaction, audit, mail, settings,
 * users, limits). The kernel decides again what the plugin may call: asking here for a
 * service it did not declare is refused on both sides.
 */
import type { BatchJob, MailBrand, MailerService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { ADD_JOBS_SQL, batchChunks, checkMaxAttempts, checkQueue } from '../../jobs/enqueue-args.js';
import type { Peer } from './peer.js';

/** What the services draw on. */
export interface ChildServiceDeps {
  pluginId: string;
  peer: Peer;
  logger: unknown;
  capabilities: ReadonlySet<string>;
  /** The plugin's own pool, when it declared `db`. */
  knex: Knex | undefined;
  /** Task modules by full name. */
  tasks: Map<string, URL>;
  /** maxAttempts of the plugin's own jobs, by full name. */
  jobMaxAttempts(name: string): number | undefined;
}

/** A name without `:` belongs to the caller. */
function qualify(pluginId: string, name: string): string {
  return name.includes(':') ? name : `${pluginId}:${name}`;
}

/**
 * Enqueue inside the plugin's own transaction: its database role has no right on
 * graphile_worker, so through the owner's SECURITY DEFINER wrapper (core migration
 * 0008_plugin_roles), which also refuses a job name that is not the plugin's own.
 */
const ADD_JOB_SQL = `select hostplane.add_plugin_job(?, ?::json, ?, ?::timestamptz, ?::int, ?, ?::int) as id`;

type Trx = Knex.Transaction & { executionPromise?: Promise<unknown> };

function isTrx(value: unknown): value is Trx {
  return typeof (value as { raw?: unknown } | null)?.raw === 'function';
}

/**
 * A transaction lives in this process and cannot cross to the kernel. What the kernel would
 * have done after the commit (delivering events, recording audit entries, queueing mail) is
 * asked for once the child's transaction commits, and not at all after a rollback.
 */
function afterCommit(trx: Trx, work: () => Promise<unknown>, onError: (error: unknown) => void): void {
  const done = trx.executionPromise ?? Promise.resolve();
  done.then(
    () => work().catch(onError),
    () => undefined,
  );
}

/** Strip `trx` from an options object; returns the remaining options and the transaction. */
function splitTrx(options: unknown): { rest: Record<string, unknown> | undefined; trx: Trx | undefined } {
  if (typeof options !== 'object' || options === null) return { rest: undefined, trx: undefined };
  const { trx, ...rest } = options as Record<string, unknown>;
  return { rest, trx: isTrx(trx) ? trx : undefined };
}

/** A service served by the kernel: every method is an async call; a transaction is refused. */
export function remoteService(peer: Peer, ref: string): unknown {
  return new Proxy(
    {},
    {
      get(_target, method) {
        if (typeof method !== 'string' || method === 'then') return undefined;
        return (...args: unknown[]) => {
          if (args.some((a) => isTrx((a as { trx?: unknown } | null)?.trx))) {
            return Promise.reject(new Error(`${ref}.${method}: a transaction cannot be passed from an isolated plugin`));
          }
          return peer.call('service', { ref, method, args });
        };
      },
    },
  );
}

function databaseService(pluginId: string, knex: Knex): unknown {
  const schema = `plugin_${pluginId.replace(/-/g, '_')}`;
  return {
    knex,
    schema,
    table(name: string, trx?: Knex.Transaction) {
      if (typeof name !== 'string' || name === '' || name.includes('.')) {
        throw Object.assign(new Error(`table name "${String(name)}" must be a plain name in the plugin's schema`), {
          code: 'DB_ERR_TABLE_NAME_INVALID',
          statusCode: 500,
        });
      }
      return (trx ?? knex)(name).withSchema(schema);
    },
    transaction: <T>(fn: (trx: Knex.Transaction) => Promise<T>) => knex.transaction(fn),
  };
}

/** The service object for ref id `ref`, or undefined when this process does not serve it. */
export function childServices(deps: ChildServiceDeps): Map<string, () => unknown> {
  const { peer, pluginId } = deps;
  const logError = (what: string) => (error: unknown) =>
    (deps.logger as { error(o: unknown, m: string): void }).error({ err: error }, `${what} after commit failed`);
  const services = new Map<string, () => unknown>([
    ['core.logger', () => deps.logger],
    ['core.clock', () => ({ now: () => new Date() })],
    [
      'core.events',
      () => ({
        guard: (event: string, payload: unknown, options?: { requestId?: string }) =>
          peer.call('events.guard', { event, payload, options: options ?? {} }),
        emit: (event: string, payload: unknown, options?: unknown) => {
          const { rest, trx } = splitTrx(options);
          if (!trx) return peer.call('events.emit', { event, payload, options: rest ?? {} });
          afterCommit(trx, () => peer.call('events.emit', { event, payload, options: rest ?? {} }), logError('event'));
          return Promise.resolve();
        },
      }),
    ],
    [
      'core.jobs',
      () => ({
        enqueue: async (name: string, payload: unknown, options?: Record<string, unknown>) => {
          const full = qualify(pluginId, name);
          const { rest, trx } = splitTrx(options);
          if (!trx) return peer.call('jobs.enqueue', { name: full, payload, options: rest ?? {} });
          // In the caller's transaction, so the job exists only if it commits: the same SQL the
          // kernel's engine runs, on the child's connection.
          const o = rest ?? {};
          const maxAttempts = (o.maxAttempts as number | undefined) ?? deps.jobMaxAttempts(full) ?? 5;
          const runAt = o.runAt instanceof Date ? o.runAt.toISOString() : null;
          const result = await trx.raw<{ rows: Array<{ id: string }> }>(ADD_JOB_SQL, [
            full,
            JSON.stringify(payload ?? {}),
            (o.queue as string | undefined) ?? null,
            runAt,
            maxAttempts,
            (o.jobKey as string | undefined) ?? null,
            (o.priority as number | undefined) ?? null,
          ]);
          const id = result.rows[0]?.id;
          if (id === undefined) throw new Error(`job key "${String(o.jobKey ?? '')}" is busy, try again`);
          return { id };
        },
        enqueueMany: async (name: string, jobs: ReadonlyArray<BatchJob<unknown>>, options?: Record<string, unknown>) => {
          const full = qualify(pluginId, name);
          const { rest, trx } = splitTrx(options);
          if (!trx) return peer.call('jobs.enqueueMany', { name: full, jobs, options: rest ?? {} });
          // In the caller's transaction, as enqueue: the wrapper checks the name is the plugin's own.
          const o = rest ?? {};
          const maxAttempts = (o.maxAttempts as number | undefined) ?? deps.jobMaxAttempts(full) ?? 5;
          checkMaxAttempts(maxAttempts);
          checkQueue(o.queue as string | undefined);
          const { chunks, count } = batchChunks(jobs);
          for (const chunk of chunks)
            await trx.raw(ADD_JOBS_SQL, [full, chunk, (o.queue as string | undefined) ?? null, maxAttempts]);
          return { count };
        },
      }),
    ],
    [
      'core.jobStatus',
      () => ({ get: (id: string) => peer.call('service', { ref: 'core.jobStatus', method: 'get', args: [id] }) }),
    ],
    [
      'core.tasks',
      () => ({
        // Tasks run in this process: the plugin's code never runs in the host's worker threads.
        run: async (name: string, input: unknown) => {
          const module = deps.tasks.get(qualify(pluginId, name));
          if (!module) throw Object.assign(new Error(`no task "${name}"`), { code: 'TASKS_ERR_UNKNOWN', statusCode: 500 });
          const mod = (await import(module.href)) as { default?: (input: unknown) => unknown };
          if (typeof mod.default !== 'function') throw new Error(`task module ${module.href} has no default export`);
          return mod.default(structuredClone(input));
        },
      }),
    ],
    [
      'core.audit',
      () => ({
        record: (entry: unknown, options?: unknown) => {
          const { trx } = splitTrx(options);
          const call = () => peer.call('service', { ref: 'core.audit', method: 'record', args: [entry] });
          if (!trx) return call();
          afterCommit(trx, call, logError('audit entry'));
          return Promise.resolve();
        },
      }),
    ],
    [
      'core.mailer',
      () => {
        // Queued now, or after the plugin's transaction commits: the id is not known before the
        // commit, and the mail is queued only if it happens.
        const queue = async (method: string, params: unknown, options?: unknown): Promise<{ id: string }> => {
          const { trx } = splitTrx(options);
          const call = () => peer.call<{ id: string }>(method, params);
          if (!trx) return call();
          afterCommit(trx, call, logError('mail'));
          return { id: '' };
        };
        const mailer: MailerService = {
          send: (message: unknown, options?: unknown) =>
            queue('service', { ref: 'core.mailer', method: 'send', args: [message] }, options),
          brand: (from) => peer.call<MailBrand>('service', { ref: 'core.mailer', method: 'brand', args: [from] }),
          // A template's functions do not cross the channel: the kernel asks this process to
          // render it (`mail.render`, as for the admin preview), then brands, lays out (escaping)
          // and queues it. Only this plugin's own templates, by id.
          sendTemplate: (template, input, options) => queue('mail.send', { template: template.id, input }, options),
        } as MailerService;
        return mailer;
      },
    ],
    ['core.settings', () => remoteService(peer, 'core.settings')],
    [
      'core.secrets',
      () => {
        const remote = remoteService(peer, 'core.secrets') as Record<string, (...a: unknown[]) => Promise<unknown>>;
        // A function does not cross the channel: the value is made here and the host keeps the first one stored.
        return new Proxy(remote, {
          get: (target, method) =>
            method === 'getOrCreate'
              ? (name: string, make: () => string) =>
                  peer.call('service', { ref: 'core.secrets', method: 'getOrCreate', args: [name, make()] })
              : target[method as string],
        });
      },
    ],
    ['core.users', () => remoteService(peer, 'core.users')],
    ['core.limits', () => remoteService(peer, 'core.limits')],
    [
      'core.tenancy',
      () => ({
        scope(query: Knex.QueryBuilder, actor: { role: string; userId: string }, column: string) {
          if (actor.role === 'super_admin') return query;
          return query.whereRaw('?? in (select user_id from hostplane.user_tree where ancestor_id = ?)', [column, actor.userId]);
        },
        canAccessUser: (actor: { role: string; userId: string }, userId: string) =>
          peer.call('service', {
            ref: 'core.tenancy',
            method: 'canAccessUser',
            args: [{ role: actor.role, userId: actor.userId }, userId],
          }),
      }),
    ],
    [
      'core.extensions',
      () => ({
        list: () => {
          throw new Error('extension implementations live in other processes and cannot be listed by an isolated plugin');
        },
      }),
    ],
  ]);
  if (deps.knex) {
    const knex = deps.knex;
    services.set('core.database', () => databaseService(pluginId, knex));
  }
  return services;
}
