/**
 * SFTP accounts: create, change, delete, and bring the system (users, keys, sshd's config) in
 * line with the table. The table is the truth; a change commits only once its system user is in
 * place, and `sync` repairs whatever a crash or another process left behind.
 */
import path from 'node:path';
import type { Actor, AuditService, Logger, SiteTree, WebServerDriver } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { SftpConfig } from '../config.js';
import { SftpErrors } from '../errors.js';
import { authorizedKeys, MAX_KEYS, parsePublicKeys, type PublicKey } from '../keys.js';
import { generatePassword, LOGIN_MAX, loginOf, passwordProblem } from '../names.js';
import type { RenderedAccount } from '../render/sshd-config.js';
import { accountView, type AccountRow, type AccountStore, type AccountView, type SiteRow } from '../store.js';
import { chrootProblem } from './chroot.js';
import type { ManagedSshd } from './sshd.js';
import { hashPassword, LoginTakenBySystem, type SystemAccount, type SystemAccounts } from './system-accounts.js';

export interface RequestInfo {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface CreateInput {
  name: string;
  password?: string;
  publicKeys?: string[];
}

export interface UpdateInput {
  /** A new password, or null to allow keys only. */
  password?: string | null;
  generatePassword?: boolean;
  publicKeys?: string[];
}

/** Site user ids below this are system accounts (root, www-data): never an SFTP login's. */
const MIN_SITE_UID = 1000;

export interface AccountsDeps {
  store: AccountStore;
  system: SystemAccounts;
  /** The running server, or null (mode off, not root, sshd missing). */
  sshd: () => ManagedSshd | null;
  drivers: () => WebServerDriver[];
  audit: AuditService;
  config: () => SftpConfig;
  logger: Logger;
}

export class AccountsService {
  constructor(private readonly d: AccountsDeps) {}

  server(): { host: string; port: number } {
    const c = this.d.config();
    return { host: c.publicHost || c.listenAddress, port: c.port };
  }

  view(row: AccountRow, site: Pick<SiteRow, 'desired'>): AccountView {
    return accountView(row, site, this.server());
  }

  /** The site's files and owner as the web server driver reports them; 409 when there are none. */
  async treeOf(site: Pick<SiteRow, 'id' | 'name'>): Promise<SiteTree> {
    const driver = this.d.drivers().find((d) => typeof d.siteTree === 'function');
    if (!driver?.siteTree) throw SftpErrors.noSiteFiles('no web server plugin that exposes site files is enabled');
    const tree = await driver.siteTree(site).catch((err: Error) => {
      throw SftpErrors.noSiteFiles(err.message);
    });
    if (!tree) throw SftpErrors.noSiteFiles('it has not been set up on the web server yet');
    if (tree.uid < MIN_SITE_UID || tree.userGid < MIN_SITE_UID) {
      throw SftpErrors.unsafeChroot(
        'the web server runs sites without users of their own (siteUsers), so a login cannot be one site’s',
      );
    }
    return tree;
  }

  private systemAccount(row: Pick<AccountRow, 'id' | 'login' | 'password_hash' | 'public_keys'>, tree: SiteTree): SystemAccount {
    return {
      accountId: row.id,
      login: row.login,
      uid: tree.uid,
      // The site user's own group, never the web server's: that group reads every site.
      gid: tree.userGid,
      home: `/${path.basename(tree.root)}`,
      passwordHash: row.password_hash,
      authorizedKeys: authorizedKeys(row.public_keys),
    };
  }

  private keysOf(texts: string[] | undefined): PublicKey[] {
    if (!texts) return [];
    if (texts.length > MAX_KEYS) throw SftpErrors.invalidKey(MAX_KEYS, `an account takes at most ${MAX_KEYS} keys`);
    const parsed = parsePublicKeys(texts);
    if ('index' in parsed) throw SftpErrors.invalidKey(parsed.index, parsed.reason);
    return parsed.keys;
  }

  private async hashOf(password: string): Promise<string> {
    const problem = passwordProblem(password);
    if (problem) throw SftpErrors.weakPassword(problem);
    return hashPassword(password).catch((err: Error) => {
      throw SftpErrors.system(err.message);
    });
  }

  async list(actor: Actor, websiteId: string): Promise<AccountView[]> {
    const site = await this.d.store.siteFor(actor, websiteId);
    return (await this.d.store.ofSite(site.id)).map((r) => this.view(r, site));
  }

  async get(actor: Actor, websiteId: string, id: string): Promise<AccountView> {
    const site = await this.d.store.siteFor(actor, websiteId);
    return this.view(await this.d.store.one(site.id, id), site);
  }

  /** A new account; a generated password is returned once (never stored in the clear). */
  async create(
    actor: Actor,
    websiteId: string,
    input: CreateInput,
    info: RequestInfo,
  ): Promise<AccountView & { password?: string }> {
    const { store, system, audit } = this.d;
    // 404 for a foreign site before anything else is looked at.
    const visible = await store.siteFor(actor, websiteId);
    const keys = this.keysOf(input.publicKeys);
    const generated = input.password === undefined && keys.length === 0 ? generatePassword() : undefined;
    const password = input.password ?? generated;
    const hash = password === undefined ? null : await this.hashOf(password);
    const login = loginOf(visible.name, input.name);
    if (login.length > LOGIN_MAX) throw SftpErrors.nameTooLong(LOGIN_MAX - visible.name.length - 1);
    const tree = await this.treeOf(visible);
    const problem = await chrootProblem(path.dirname(tree.root));
    if (problem) throw SftpErrors.unsafeChroot(problem);

    let made: string | null = null;
    try {
      const row = await store.db.transaction(async (trx) => {
        const site = await store.siteFor(actor, websiteId, trx, true);
        const limit = this.d.config().accountsPerSite;
        const [{ n }] = (await store.accounts(trx).where({ website_id: site.id }).count({ n: '*' })) as unknown as [
          { n: string },
        ];
        if (Number(n) >= limit) throw SftpErrors.tooMany(limit);
        if (await store.accounts(trx).where({ login }).first()) throw SftpErrors.loginTaken(login);
        const [inserted] = (await store
          .accounts(trx)
          .insert({
            website_id: site.id,
            owner_id: site.owner_id,
            name: input.name,
            login,
            password_hash: hash,
            public_keys: JSON.stringify(keys) as never,
            created_by: info.actorId,
          })
          .returning('*')) as AccountRow[];
        // The system user before the commit: an account that cannot log in is never reported made.
        await this.ensureSystem(inserted!, tree);
        made = login;
        await audit.record(
          {
            action: 'sftp.account.created',
            actorId: info.actorId,
            target: { type: 'website', id: site.id },
            details: { accountId: inserted!.id, login, keys: keys.length, password: hash !== null },
            ip: info.ip ?? null,
            requestId: info.requestId ?? null,
          },
          { trx },
        );
        return inserted!;
      });
      await this.applyServer();
      return { ...this.view(row, visible), ...(generated ? { password: generated } : {}) };
    } catch (err) {
      if (made) await system.remove(made).catch(() => undefined);
      if ((err as { code?: string }).code === '23505') throw SftpErrors.loginTaken(login);
      throw err;
    }
  }

  async update(
    actor: Actor,
    websiteId: string,
    id: string,
    input: UpdateInput,
    info: RequestInfo,
  ): Promise<AccountView & { password?: string }> {
    const { store, audit } = this.d;
    const visible = await store.siteFor(actor, websiteId);
    const keys = input.publicKeys === undefined ? undefined : this.keysOf(input.publicKeys);
    const generated = input.generatePassword ? generatePassword() : undefined;
    const password = generated ?? input.password;
    const hash = typeof password === 'string' ? await this.hashOf(password) : password;
    const tree = await this.treeOf(visible);
    const row = await store.db.transaction(async (trx: Knex.Transaction) => {
      await store.siteFor(actor, websiteId, trx, true);
      const current = await store.one(visible.id, id, trx);
      const next = {
        password_hash: hash === undefined ? current.password_hash : hash,
        public_keys: keys ?? current.public_keys,
      };
      if (next.password_hash === null && next.public_keys.length === 0) throw SftpErrors.noCredentials();
      const [updated] = (await store
        .accounts(trx)
        .where({ id: current.id })
        .update({
          password_hash: next.password_hash,
          public_keys: JSON.stringify(next.public_keys) as never,
          updated_at: trx.fn.now() as never,
        })
        .returning('*')) as AccountRow[];
      await this.ensureSystem(updated!, tree);
      await audit.record(
        {
          action: 'sftp.account.updated',
          actorId: info.actorId,
          target: { type: 'website', id: visible.id },
          details: {
            accountId: current.id,
            password: hash === undefined ? 'kept' : hash === null ? 'removed' : 'changed',
            keys: next.public_keys.length,
          },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      return updated!;
    });
    // A changed password or key list is what someone does after a leak: end the open sessions.
    await this.d.sshd()?.endSessions(row.login);
    return { ...this.view(row, visible), ...(generated ? { password: generated } : {}) };
  }

  async remove(actor: Actor, websiteId: string, id: string, info: RequestInfo): Promise<void> {
    const { store, system, audit } = this.d;
    const visible = await store.siteFor(actor, websiteId);
    const login = await store.db.transaction(async (trx) => {
      const current = await store.one(visible.id, id, trx);
      await store.accounts(trx).where({ id: current.id }).delete();
      // Gone from the system before the row is: a failure keeps both.
      await system.remove(current.login).catch((err: Error) => {
        throw SftpErrors.system(err.message);
      });
      await audit.record(
        {
          action: 'sftp.account.deleted',
          actorId: info.actorId,
          target: { type: 'website', id: visible.id },
          details: { accountId: current.id, login: current.login },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      return current.login;
    });
    await this.applyServer();
    await this.d.sshd()?.endSessions(login);
  }

  private async ensureSystem(row: AccountRow, tree: SiteTree): Promise<void> {
    await this.d.system.ensure(this.systemAccount(row, tree)).catch((err: Error) => {
      if (err instanceof LoginTakenBySystem) throw SftpErrors.loginTaken(row.login);
      throw SftpErrors.system(err.message);
    });
  }

  /** sshd's view: live accounts of active sites with files, each with its chroot and home. */
  private async rendered(): Promise<RenderedAccount[]> {
    const out: RenderedAccount[] = [];
    const trees = new Map<string, SiteTree | null>();
    for (const row of await this.d.store.all()) {
      if (row.desired !== 'active') continue;
      if (!trees.has(row.website_id)) {
        trees.set(row.website_id, await this.treeOf({ id: row.website_id, name: row.site_name }).catch(() => null));
      }
      const tree = trees.get(row.website_id);
      if (!tree) continue;
      out.push({ login: row.login, chroot: path.dirname(tree.root), home: `/${path.basename(tree.root)}` });
    }
    return out;
  }

  /** Give sshd the current list of accounts (no-op without a managed server). */
  async applyServer(): Promise<void> {
    const sshd = this.d.sshd();
    if (!sshd) return;
    await sshd.apply(await this.rendered());
  }

  /**
   * Bring the system in line with the table: accounts of deleted websites are deleted, every
   * account's user, password and keys are made again, users of accounts that no longer exist
   * are removed, and sshd gets the list. Run at start, on a schedule and after website changes.
   */
  async sync(): Promise<{ ensured: number; removed: number; failed: number }> {
    const { store, system, logger } = this.d;
    let ensured = 0;
    let removed = 0;
    let failed = 0;
    const rows = await store.all();
    const keep = new Set<string>();
    for (const row of rows) {
      if (row.desired === null || row.desired === 'deleted') {
        await store.accounts().where({ id: row.id }).delete();
        continue;
      }
      keep.add(row.login);
      try {
        const tree = await this.treeOf({ id: row.website_id, name: row.site_name });
        await system.ensure(this.systemAccount(row, tree));
        ensured += 1;
      } catch (err) {
        failed += 1;
        logger.warn({ err, login: row.login }, 'could not set up an SFTP account on the system');
      }
    }
    for (const { login } of await system.ours()) {
      if (keep.has(login)) continue;
      await system.remove(login);
      removed += 1;
    }
    await this.applyServer();
    return { ensured, removed, failed };
  }
}
