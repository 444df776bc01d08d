/**
 * Changes to websites' desired state. Each change happens in one transaction that also reserves
 * limits, writes the audit entry and enqueues the reconciler, so a website either exists with its
 * provisioning queued or does not exist at all; the server is changed afterwards by the job.
 */
import type {
  Actor,
  AuditService,
  EventsService,
  JobsService,
  LimitsService,
  Logger,
  TenancyService,
  UsersService,
  WebServerDriver,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import { CoalescedEnqueue } from './coalesced-enqueue.js';
import type { WebsitesConfig } from './config.js';
import { DomainRefused, normalizeDomain, slugOf } from './domains.js';
import { WebsitesErrors } from './errors.js';
import type { SubscriptionInfo, SuspendReason, WebsiteKind, WebsiteRow, WebsiteSettings, WebsiteStore } from './store.js';
import { isAbove, type SuspensionLevel } from './suspension-levels.js';

/** Name of the reconcile job, and the key that keeps one of it pending. */
export const RECONCILE_JOB = 'reconcile';
const RECONCILE_KEY = 'websites:reconcile';

/**
 * Queue the reconciler (inside `trx` when given: it runs only if the change commits). One stays
 * pending however many changes ask; runs never overlap (see {@link Reconciler.run}).
 */
export async function enqueueReconcile(jobs: JobsService, trx?: Knex.Transaction): Promise<void> {
  await jobs.enqueue(RECONCILE_JOB, {}, { jobKey: RECONCILE_KEY, ...(trx ? { trx } : {}) });
}

/** What `create` takes (after schema validation). */
export interface CreateWebsiteInput {
  domain: string;
  aliases?: string[];
  kind: WebsiteKind;
  phpVersion?: string;
  subscriptionId?: string;
  nodejs?: { command?: string[]; env?: Record<string, string> };
  extraDirectives?: string | null;
}

/** What `update` takes. */
export interface UpdateWebsiteInput {
  aliases?: string[];
  phpVersion?: string;
  nodejs?: { command?: string[]; env?: Record<string, string> };
  extraDirectives?: string | null;
}

/** Who asked, for audit entries. */
export interface RequestInfo {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
  /** The level a provider suspension is made at (none: the platform). */
  level?: SuspensionLevel;
}

export interface WebsitesServiceDeps {
  store: WebsiteStore;
  limits: LimitsService;
  audit: AuditService;
  events: EventsService;
  jobs: JobsService;
  tenancy: TenancyService;
  /** Names the author in a site's history (people read names, not ids). */
  users: Pick<UsersService, 'get'>;
  config: () => WebsitesConfig;
  drivers: () => WebServerDriver[];
  logger: Logger;
}

/** Permission that allows raw NGINX directives (admins only by default). */
export const ADVANCED_PERMISSION = 'websites.site.advanced';

/** How long an author's name is reused for history lines, and how many are kept. */
const NAME_TTL_MS = 30_000;
const NAMES_CACHED = 1000;

export class WebsitesService {
  readonly #names = new Map<string, { name: string; until: number }>();
  readonly #afterCommit = new CoalescedEnqueue(() => this.enqueueReconcile());

  constructor(private readonly deps: WebsitesServiceDeps) {}

  /** Queue the reconciler (see {@link enqueueReconcile}). */
  enqueueReconcile(trx?: Knex.Transaction): Promise<void> {
    return enqueueReconcile(this.deps.jobs, trx);
  }

  /**
   * Create a site. Kept to few statements (bench/websites-create.ts): the transaction ends by
   * locking rows every create of the subscription, and of the platform, waits on.
   */
  async create(actor: Actor, input: CreateWebsiteInput, info: RequestInfo): Promise<{ site: WebsiteRow; aliases: string[] }> {
    const { store } = this.deps;
    const domain = this.domain('/body/domain', input.domain);
    const aliases = this.aliases(input.aliases ?? [], domain);
    this.checkAdvanced(actor, input.extraDirectives);
    // Before the transaction: inside, a second pool connection per create starves a burst.
    const author = await this.nameOf(info.actorId);
    const created = await store.db.transaction(async (trx) => {
      const subscription = await this.subscriptionFor(actor, input.subscriptionId, trx);
      // Other plugins may refuse (usage metering: the package's disk is full).
      await this.deps.events.guard(
        'website.creating',
        { subscriptionId: subscription.id, ownerId: subscription.customerId, domain, kind: input.kind },
        info.requestId ? { requestId: info.requestId } : {},
      );
      const phpVersion = await this.phpVersion(input.kind, input.phpVersion, subscription.phpVersions);
      const settings: WebsiteSettings = {};
      if (input.extraDirectives) settings.extraDirectives = input.extraDirectives;
      if (input.kind === 'nodejs') {
        settings.nodejs = {
          command: input.nodejs?.command ?? ['npm', 'start'],
          port: await this.freePort(trx),
          env: input.nodejs?.env ?? {},
        };
      } else if (input.nodejs) {
        throw WebsitesErrors.kindSettings('/body/nodejs', 'Node.js settings belong to websites of kind "nodejs"');
      }
      // The name is the domain's slug, or the next free `slug-N`. Two creates that want the same
      // one meet at the unique index: the later waits for the earlier to commit, inserts
      // nothing, and picks again (no lock for the common case, where nobody competes).
      const slug = slugOf(domain);
      let site: WebsiteRow | undefined;
      // The slug itself is tried first: it is free in the common case, and a taken one is what
      // the insert reports (no row), so the prefix scan runs only when a name is taken.
      let name = slug;
      for (;;) {
        const [row] = (await store
          .table(trx)
          .insert({
            name,
            domain,
            owner_id: subscription.customerId,
            subscription_id: subscription.id,
            kind: input.kind,
            php_version: phpVersion,
            settings: JSON.stringify(settings) as unknown as WebsiteSettings,
          })
          .onConflict('name')
          .ignore()
          .returning('*')) as WebsiteRow[];
        if (row) {
          site = row;
          break;
        }
        name = await store.freeName(slug, trx);
      }
      // A taken name is the clearer answer than a full package, so it is checked before the
      // limits: by the insert itself, which no concurrent create can slip past.
      await store.insertDomains(site.id, domain, aliases, trx);
      await store.record(site.id, 'create', 'info', `created by ${author}`, trx);
      await this.audit(info, 'websites.site.created', site.id, { domain, aliases, kind: input.kind }, trx);
      await this.deps.events.emit(
        'website.created',
        { websiteId: site.id, ownerId: site.owner_id, subscriptionId: site.subscription_id, domain, aliases, kind: site.kind },
        { trx },
      );
      // Last, because both lock a row until commit that every create of this subscription
      // (the usage counters) needs.
      await this.deps.limits.assert(subscription.id, 'websites', 1, { trx });
      await this.deps.limits.assert(subscription.id, 'domains', 1 + aliases.length, { trx });
      return { site, aliases };
    });
    // After the commit, not inside the transaction: the one pending reconcile job is a row
    // every create on the platform would otherwise hold locked until its commit, making all
    // creates take turns. Lost only if the process dies right here, and then the reconciler's
    // sweep (every minute) provisions the site.
    await this.enqueueAfterCommit();
    return created;
  }

  /** Queue the reconciler after a committed change; a failure is logged, the sweep recovers. */
  private async enqueueAfterCommit(): Promise<void> {
    try {
      await this.#afterCommit.request();
    } catch (err) {
      this.deps.logger.warn({ err }, 'reconcile not queued; the next sweep provisions the change');
    }
  }

  async update(actor: Actor, id: string, input: UpdateWebsiteInput, info: RequestInfo): Promise<WebsiteRow> {
    const { store } = this.deps;
    this.checkAdvanced(actor, input.extraDirectives);
    return store.db.transaction(async (trx) => {
      const site = await store.scopedOne(actor, id, trx, true);
      if (site.status === 'deleting') throw WebsitesErrors.transitionRefused('deleting', 'changed');
      const changes: { php_version?: string | null } = {};
      const settings: WebsiteSettings = { ...site.settings };
      // What really differs: a form sends every field, and history and audit name only those.
      const changed: Record<string, unknown> = {};
      if (input.aliases) {
        const aliases = this.aliases(input.aliases, site.domain);
        const before = (await store.aliasesOf([site.id], trx)).get(site.id) ?? [];
        if ([...aliases].sort().join() !== [...before].sort().join()) changed.aliases = aliases;
        await store.assertDomainsFree(aliases, site.id, trx);
        const delta = aliases.length - before.length;
        if (delta !== 0) await this.deps.limits.assert(site.subscription_id, 'domains', delta, { trx });
        await store.claimDomains(site.id, site.domain, aliases, trx);
      }
      if (input.phpVersion !== undefined) {
        const subscription = await store.subscription(site.subscription_id, trx);
        changes.php_version = await this.phpVersion(site.kind, input.phpVersion, subscription?.phpVersions ?? []);
        if (changes.php_version !== site.php_version) changed.phpVersion = changes.php_version;
      }
      if (input.nodejs) {
        if (site.kind !== 'nodejs' || !settings.nodejs) {
          throw WebsitesErrors.kindSettings('/body/nodejs', 'Node.js settings belong to websites of kind "nodejs"');
        }
        settings.nodejs = { ...settings.nodejs, ...input.nodejs };
        if (JSON.stringify(settings.nodejs) !== JSON.stringify(site.settings.nodejs)) changed.nodejs = input.nodejs;
      }
      if (input.extraDirectives !== undefined) {
        settings.extraDirectives = input.extraDirectives || null;
        if (settings.extraDirectives !== (site.settings.extraDirectives ?? null))
          changed.extraDirectives = settings.extraDirectives;
      }
      const [row] = (await store
        .table(trx)
        .where({ id: site.id })
        .update({
          ...changes,
          settings: JSON.stringify(settings) as unknown as WebsiteSettings,
          generation: trx.raw('generation + 1') as unknown as number,
          failures: 0,
          // A site in error gets another chance with its new settings.
          ...(site.status === 'error' ? { status: 'provisioning', status_reason: null } : {}),
          updated_at: trx.fn.now() as unknown as Date,
        })
        .returning('*')) as WebsiteRow[];
      const fields = Object.keys(changed);
      if (fields.length > 0) {
        await store.record(site.id, 'update', 'info', `settings changed: ${fields.join(', ')}`, trx);
        await this.audit(info, 'websites.site.updated', site.id, changed, trx);
      }
      await this.enqueueReconcile(trx);
      return row as WebsiteRow;
    });
  }

  /**
   * Add a suspension reason. The site is served again only when every reason is gone, so a
   * customer's own unsuspend cannot undo the provider's.
   */
  async suspend(site: WebsiteRow, reason: SuspendReason, note: string | null, info: RequestInfo, trx: Knex.Transaction) {
    if (site.status === 'deleting') throw WebsitesErrors.transitionRefused('deleting', 'suspended');
    const level = info.level ?? 'platform';
    const author = reason === 'admin' ? { suspended_by: info.actorId, suspended_by_level: level } : {};
    if (site.suspended_for.includes(reason)) {
      // Suspended again from higher up (an admin over a reseller's): the higher level holds it.
      if (reason !== 'admin' || !isAbove(level, site.suspended_by_level)) return site;
      const [row] = (await this.deps.store.table(trx).where({ id: site.id }).update(author).returning('*')) as WebsiteRow[];
      await this.audit(info, 'websites.site.suspended', site.id, { reason, level, ...(note ? { note } : {}) }, trx);
      return row as WebsiteRow;
    }
    const reasons = [...site.suspended_for, reason];
    const row = await this.setDesired(site, 'suspended', reasons, note ?? site.suspend_note, trx, author);
    await this.deps.store.record(site.id, 'suspend', 'info', `suspended (${reason})${note ? `: ${note}` : ''}`, trx);
    await this.audit(
      info,
      'websites.site.suspended',
      site.id,
      { reason, ...(reason === 'admin' ? { level } : {}), ...(note ? { note } : {}) },
      trx,
    );
    return row;
  }

  /** Remove a suspension reason; the site comes back when none is left. */
  async unsuspend(site: WebsiteRow, reason: SuspendReason, info: RequestInfo, trx: Knex.Transaction) {
    if (!site.suspended_for.includes(reason)) return site;
    const reasons = site.suspended_for.filter((r) => r !== reason);
    const row = await this.setDesired(
      site,
      reasons.length ? 'suspended' : 'active',
      reasons,
      reasons.length ? site.suspend_note : null,
      trx,
      reason === 'admin' ? { suspended_by: null, suspended_by_level: null } : {},
    );
    await this.deps.store.record(site.id, 'unsuspend', 'info', `suspension lifted (${reason})`, trx);
    await this.audit(info, 'websites.site.unsuspended', site.id, { reason, remaining: reasons }, trx);
    return row;
  }

  /** Mark for deletion and release its limits; the reconciler removes it from the server. */
  async remove(
    site: WebsiteRow,
    info: RequestInfo,
    trx: Knex.Transaction,
    options: { deleteDatabase?: boolean } = {},
  ): Promise<WebsiteRow> {
    if (site.desired === 'deleted') return site;
    const settings: WebsiteSettings = { ...site.settings, ...(options.deleteDatabase ? { deleteDatabase: true } : {}) };
    const aliases = (await this.deps.store.aliasesOf([site.id], trx)).get(site.id) ?? [];
    await this.deps.limits.assert(site.subscription_id, 'websites', -1, { trx });
    await this.deps.limits.assert(site.subscription_id, 'domains', -(1 + aliases.length), { trx });
    const [row] = (await this.deps.store
      .table(trx)
      .where({ id: site.id })
      .update({
        desired: 'deleted',
        status: 'deleting',
        settings: JSON.stringify(settings) as unknown as WebsiteSettings,
        status_reason: null,
        failures: 0,
        generation: trx.raw('generation + 1') as unknown as number,
        updated_at: trx.fn.now() as unknown as Date,
      })
      .returning('*')) as WebsiteRow[];
    await this.deps.store.record(site.id, 'delete', 'info', 'deletion requested', trx);
    await this.audit(
      info,
      'websites.site.deleted',
      site.id,
      { domain: site.domain, ...(options.deleteDatabase ? { deleteDatabase: true } : {}) },
      trx,
    );
    await this.enqueueReconcile(trx);
    return row as WebsiteRow;
  }

  /** Re-apply every live site of a subscription (something they are served with changed). */
  async touchSubscriptionSites(subscriptionId: string, trx: Knex.Transaction): Promise<number> {
    const touched = await this.deps.store
      .table(trx)
      .where({ subscription_id: subscriptionId })
      .whereNot({ desired: 'deleted' })
      .update({
        failures: 0,
        generation: trx.raw('generation + 1') as unknown as number,
        updated_at: trx.fn.now() as unknown as Date,
      });
    if (touched > 0) await this.enqueueReconcile(trx);
    return touched;
  }

  /** Apply `fn` to every live site matching `where`, each in the same transaction. */
  async forEachSite(
    where: Partial<Pick<WebsiteRow, 'owner_id' | 'subscription_id'>>,
    fn: (site: WebsiteRow, trx: Knex.Transaction) => Promise<unknown>,
  ): Promise<number> {
    return this.deps.store.db.transaction(async (trx) => {
      const sites = (await this.deps.store.table(trx).where(where).whereNot({ desired: 'deleted' }).forUpdate()) as WebsiteRow[];
      for (const site of sites) await fn(site, trx);
      return sites.length;
    });
  }

  private async setDesired(
    site: WebsiteRow,
    desired: 'active' | 'suspended',
    reasons: SuspendReason[],
    note: string | null,
    trx: Knex.Transaction,
    author: Partial<Pick<WebsiteRow, 'suspended_by' | 'suspended_by_level'>> = {},
  ): Promise<WebsiteRow> {
    const [row] = (await this.deps.store
      .table(trx)
      .where({ id: site.id })
      .update({
        ...author,
        desired,
        suspended_for: reasons,
        suspend_note: note,
        failures: 0,
        generation: trx.raw('generation + 1') as unknown as number,
        updated_at: trx.fn.now() as unknown as Date,
      })
      .returning('*')) as WebsiteRow[];
    await this.enqueueReconcile(trx);
    return row as WebsiteRow;
  }

  private domain(field: string, input: string): string {
    try {
      return normalizeDomain(input, { reserved: this.deps.config().reservedDomains });
    } catch (err) {
      if (err instanceof DomainRefused) throw WebsitesErrors.domainInvalid(field, err.message);
      throw err;
    }
  }

  private aliases(input: string[], primary: string): string[] {
    const out = input.map((a, i) => this.domain(`/body/aliases/${i}`, a));
    const seen = new Set<string>([primary]);
    out.forEach((a, i) => {
      if (seen.has(a)) throw WebsitesErrors.domainInvalid(`/body/aliases/${i}`, `${a} is listed twice`);
      seen.add(a);
    });
    return out;
  }

  private checkAdvanced(actor: Actor, directives: string | null | undefined): void {
    if (directives === undefined || directives === null || directives === '') return;
    if (!actor.permissions.has(ADVANCED_PERMISSION)) {
      throw WebsitesErrors.kindSettings('/body/extraDirectives', 'Only administrators may add NGINX directives');
    }
    // Keep the directives inside the site's own server block.
    let depth = 0;
    for (const c of directives) {
      depth += c === '{' ? 1 : c === '}' ? -1 : 0;
      if (depth < 0) break;
    }
    if (depth !== 0) throw WebsitesErrors.kindSettings('/body/extraDirectives', 'Braces in the directives must balance');
  }

  /** The subscription a new site counts against: named (in the caller's subtree) or the caller's only one. */
  private async subscriptionFor(actor: Actor, id: string | undefined, trx: Knex.Transaction) {
    const { store } = this.deps;
    let subscription: SubscriptionInfo | undefined;
    if (!id) {
      // The caller's own, with what its package allows, in one read.
      const own = await store.activeSubscriptionsOf(actor.userId, trx);
      if (own.length === 0) throw WebsitesErrors.subscriptionInvalid('You have no active subscription to host a website in');
      if (own.length > 1) throw WebsitesErrors.subscriptionInvalid('You have several subscriptions: name one in subscriptionId');
      subscription = own[0] as SubscriptionInfo;
    } else subscription = await store.subscription(id, trx);
    if (!subscription || !(await this.deps.tenancy.canAccessUser(actor, subscription.customerId))) {
      throw WebsitesErrors.subscriptionInvalid(`No subscription ${id}`);
    }
    if (subscription.status !== 'active') {
      throw WebsitesErrors.subscriptionInvalid(`The subscription is ${subscription.status}`);
    }
    return subscription;
  }

  /** The PHP version for a site: asked for (allowed by the package and present), or the newest such. */
  private async phpVersion(kind: WebsiteKind, asked: string | undefined, allowed: string[]): Promise<string | null> {
    if (kind !== 'php' && kind !== 'wordpress') {
      if (asked) throw WebsitesErrors.kindSettings('/body/phpVersion', `A ${kind} website has no PHP version`);
      return null;
    }
    const driver = this.deps.drivers()[0];
    // Without a server yet, the package alone decides; the site waits for a server that has it.
    const status = driver ? await driver.status() : null;
    const onServer = status?.state === 'ready' ? status.phpVersions : null;
    const usable = allowed.filter((v) => !onServer || onServer.includes(v)).sort(compareVersions);
    if (asked) {
      if (!usable.includes(asked)) throw WebsitesErrors.phpVersionNotAllowed(asked, usable);
      return asked;
    }
    const newest = usable[usable.length - 1];
    if (!newest) throw WebsitesErrors.phpVersionNotAllowed('(any)', usable);
    return newest;
  }

  /** The lowest free port of the configured range for a Node.js app. */
  private async freePort(trx: Knex.Transaction): Promise<number> {
    const { from, to } = this.deps.config().nodejsPorts;
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['websites.ports']);
    const rows = (await this.deps.store
      .table(trx)
      .where({ kind: 'nodejs' })
      .select(trx.raw(`(settings->'nodejs'->>'port')::int as port`))) as unknown as Array<{ port: number }>;
    const used = new Set(rows.map((r) => r.port));
    for (let port = from; port <= to; port += 1) if (!used.has(port)) return port;
    throw WebsitesErrors.noPorts();
  }

  /** A person's name (or e-mail) for a history line. */
  private async nameOf(userId: string | null): Promise<string> {
    if (!userId) return 'the system';
    const cached = this.#names.get(userId);
    if (cached && cached.until > Date.now()) return cached.name;
    const user = await this.deps.users.get(userId);
    const name = user ? user.name || user.email : 'the system';
    // A burst of changes by one person asks once. The name only words a history line, so a
    // rename shows there after at most NAME_TTL_MS.
    if (this.#names.size >= NAMES_CACHED) this.#names.clear();
    this.#names.set(userId, { name, until: Date.now() + NAME_TTL_MS });
    return name;
  }

  private async audit(info: RequestInfo, action: string, id: string, details: Record<string, unknown>, trx: Knex.Transaction) {
    await this.deps.audit.record(
      {
        action,
        actorId: info.actorId,
        target: { type: 'website', id },
        details,
        ip: info.ip ?? null,
        requestId: info.requestId ?? null,
      },
      { trx },
    );
  }
}

function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}
