/**
 * FakeKernel: a small in-memory `KernelApi` for the gateway's own tests, until they move onto
 * the real kernel. It holds fake plugins (id, route registrar, on/off), authenticators, a few
 * jobs and mails, and records what the host reports to it (failures, audit entries).
 * Not a kernel: no database, no lifecycle beyond a started/disabled flag.
 */
import type {
  JobAdmin,
  KernelApi,
  KernelHealth,
  OutboxMail,
  PermissionInfo,
  PluginPanelPage,
  PluginRoutes,
  PluginState,
  PluginStatus,
} from '@hostplane/core';
import {
  CommonErrors,
  HostplaneError,
  type Actor,
  type AuditEntry,
  type Authenticator,
  type JobInfo,
  type JobState,
  type Role,
  type RouteRegistrar,
} from '@hostplane/sdk';
import { pino } from 'pino';

/** A fake plugin: what the gateway needs to know of one. */
export interface FakePlugin {
  id: string;
  /** Routes under `/v1<prefix>`; default prefix `/<id>`. */
  routes?: RouteRegistrar;
  prefix?: string;
  /** Started at creation unless false. */
  enabled?: boolean;
  config?: Record<string, unknown>;
  /** Config fields shown masked. */
  secrets?: string[];
}

const JOB_STATES: JobState[] = ['waiting', 'scheduled', 'running', 'retrying', 'dead'];

function status(plugin: FakePlugin, state: PluginState): PluginStatus {
  return {
    id: plugin.id,
    version: '1.0.0',
    displayName: plugin.id,
    description: `fake plugin ${plugin.id}`,
    source: 'inline',
    path: `/fake/${plugin.id}`,
    state,
    enabled: state === 'started',
    error: null,
    permissions: ['http:routes'],
    requires: {},
    provides: [],
    configSchema: null,
  };
}

/** An in-memory KernelApi. */
export class FakeKernel implements KernelApi {
  readonly logger = pino({ level: 'silent' });
  /** The gateway never touches the database; reaching for it is a test bug. */
  readonly knex = new Proxy(
    {},
    {
      get() {
        throw new Error('FakeKernel has no database');
      },
    },
  ) as unknown as KernelApi['knex'];

  /** What `reportFailure` received. */
  readonly failures: Array<{ id: string; phase: string; error: unknown }> = [];
  /** What `recordAudit` received. */
  readonly audits: AuditEntry[] = [];
  /** `health().ok`. */
  healthy = true;
  readonly jobList: JobInfo[] = [];
  readonly mails: OutboxMail[] = [];

  private readonly registry = new Map<string, { plugin: FakePlugin; state: PluginState }>();
  private readonly auths: Authenticator[] = [];
  private readonly listeners = new Set<() => void | Promise<void>>();

  constructor(plugins: FakePlugin[] = []) {
    for (const plugin of plugins) this.addPlugin(plugin);
  }

  /** Add a plugin (started unless `enabled: false`). Does not notify: call before createHost. */
  addPlugin(plugin: FakePlugin): this {
    this.registry.set(plugin.id, { plugin, state: plugin.enabled === false ? 'disabled' : 'started' });
    return this;
  }

  /** Add an authenticator. */
  addAuthenticator(authenticator: Authenticator): this {
    this.auths.push(authenticator);
    return this;
  }

  plugins(): PluginStatus[] {
    return [...this.registry.values()].map(({ plugin, state }) => status(plugin, state));
  }

  plugin(id: string): PluginStatus | undefined {
    const entry = this.registry.get(id);
    return entry && status(entry.plugin, entry.state);
  }

  routes(): PluginRoutes[] {
    const out: PluginRoutes[] = [];
    for (const { plugin, state } of this.registry.values()) {
      if (state === 'started' && plugin.routes) {
        out.push({ pluginId: plugin.id, prefix: plugin.prefix ?? `/${plugin.id}`, registrar: plugin.routes });
      }
    }
    return out;
  }

  authenticators(): Authenticator[] {
    return [...this.auths];
  }

  panelPages(): PluginPanelPage[] {
    return [];
  }

  permissions(): PermissionInfo[] {
    return [];
  }

  permissionsOf(): Set<string> {
    return new Set();
  }

  onChange(listener: () => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell listeners the plugin set changed and wait for them (as the real kernel does). */
  async emitChange(): Promise<void> {
    await Promise.all([...this.listeners].map((listener) => listener()));
  }

  /** How many change listeners are subscribed. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  async enable(id: string): Promise<PluginStatus> {
    const entry = this.mustGet(id);
    entry.state = 'started';
    await this.emitChange();
    return status(entry.plugin, entry.state);
  }

  async disable(id: string): Promise<PluginStatus> {
    const entry = this.mustGet(id);
    entry.state = 'disabled';
    await this.emitChange();
    return status(entry.plugin, entry.state);
  }

  async getConfig(id: string, options: { revealSecrets?: boolean } = {}): Promise<Record<string, unknown>> {
    const { plugin } = this.mustGet(id);
    const config = { ...plugin.config };
    if (!options.revealSecrets) for (const key of plugin.secrets ?? []) if (key in config) config[key] = '••••••';
    return config;
  }

  async setConfig(id: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { plugin } = this.mustGet(id);
    plugin.config = { ...config };
    // Unmasked on purpose: the host must not rely on setConfig's answer being masked.
    return plugin.config;
  }

  async health(): Promise<KernelHealth> {
    return {
      ok: this.healthy,
      database: { ok: this.healthy, latencyMs: this.healthy ? 1 : null },
      plugins: [...this.registry.values()].map(({ plugin, state }) => ({ id: plugin.id, state, error: null })),
    };
  }

  reportFailure(id: string, phase: string, error: unknown): void {
    this.failures.push({ id, phase, error });
    const entry = this.registry.get(id);
    if (entry) entry.state = 'failed';
  }

  async recordAudit(entry: AuditEntry): Promise<void> {
    this.audits.push(entry);
  }

  readonly jobs: JobAdmin = {
    list: async (filter = {}) =>
      this.jobList
        .filter((job) => (filter.state ? job.state === filter.state : true))
        .filter((job) => (filter.name ? job.name === filter.name : true))
        .slice(filter.offset ?? 0, (filter.offset ?? 0) + (filter.limit ?? 50)),
    get: async (id) => this.jobList.find((job) => job.id === id),
    retry: async (id) => {
      const job = this.jobList.find((j) => j.id === id);
      if (!job) throw new HostplaneError('JOBS_ERR_NOT_FOUND', `job "${id}" not found`, 404);
      if (job.state !== 'dead' && job.state !== 'retrying') {
        throw new HostplaneError('JOBS_ERR_NOT_RETRYABLE', `job "${id}" is ${job.state}`, 409);
      }
      job.state = 'waiting';
      job.attempts = 0;
      return job;
    },
    counts: async () => {
      const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
      for (const job of this.jobList) counts[job.state]++;
      return counts;
    },
  };

  async listOutbox(filter: { to?: string; limit?: number } = {}): Promise<OutboxMail[]> {
    return this.mails.filter((m) => (filter.to ? m.to === filter.to : true)).slice(0, filter.limit ?? 50);
  }

  private mustGet(id: string): { plugin: FakePlugin; state: PluginState } {
    const entry = this.registry.get(id);
    if (!entry) throw CommonErrors.notFound(`plugin "${id}"`);
    return entry;
  }
}

/**
 * An authenticator trusting `Authorization: Bearer <token>` for tokens registered with
 * {@link TokenAuthenticator.grant}; the token `expired` throws AUTH_ERR_TOKEN_EXPIRED (401).
 */
export class TokenAuthenticator implements Authenticator {
  private readonly actors = new Map<string, Actor>();

  /** Make `token` sign in as `userId` holding `permissions`. */
  grant(token: string, userId: string, permissions: string[] = [], role: Role = 'customer'): this {
    this.actors.set(token, { userId, role, permissions: new Set(permissions) });
    return this;
  }

  async authenticate(request: { headers: Record<string, string | string[] | undefined> }): Promise<Actor | null> {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return null;
    const token = header.slice('Bearer '.length);
    if (token === 'expired') throw new HostplaneError('AUTH_ERR_TOKEN_EXPIRED', 'The token has expired', 401);
    return this.actors.get(token) ?? null;
  }
}
