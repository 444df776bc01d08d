/**
 * Demo data for a first look: an administrator, a reseller and two of its customers. Idempotent:
 * users that exist are left alone. The passwords are public (README): demo installs only.
 */
import type { Kernel } from '@hostplane/core';

/** One demo login. */
export interface DemoLogin {
  role: string;
  email: string;
  password: string;
  created: boolean;
}

const DEMO = [
  {
    key: 'admin',
    role: 'super_admin',
    email: 'admin@hostplane.test',
    name: 'Ada Admin',
    password: 'demo-admin-password',
    parent: null,
  },
  {
    key: 'reseller',
    role: 'reseller',
    email: 'reseller@hostplane.test',
    name: 'Rita Reseller',
    password: 'demo-reseller-password',
    parent: 'admin',
  },
  {
    key: 'customer1',
    role: 'customer',
    email: 'alice@hostplane.test',
    name: 'Alice Customer',
    password: 'demo-customer-password',
    parent: 'reseller',
  },
  {
    key: 'customer2',
    role: 'customer',
    email: 'bob@hostplane.test',
    name: 'Bob Customer',
    password: 'demo-customer-password',
    parent: 'reseller',
  },
] as const;

/** Create the demo users that are missing. */
export async function seedDemo(kernel: Kernel): Promise<DemoLogin[]> {
  const ids = new Map<string, string>();
  const out: DemoLogin[] = [];
  for (const user of DEMO) {
    const existing = await kernel.users.getByEmail(user.email);
    let id = existing?.id;
    if (!id) {
      const parentId = user.parent ? (ids.get(user.parent) ?? null) : null;
      const created = await kernel.users.create({
        email: user.email,
        name: user.name,
        role: user.role,
        parentId,
        password: user.password,
      });
      id = created.id;
      // Seeded by the operator: the addresses are vouched for, so demo logins work at once.
      await kernel.knex('hostplane.users').where({ id }).update({ email_verified_at: kernel.knex.fn.now() });
      await kernel.recordAudit({ action: 'users.user.created', target: { type: 'user', id }, details: { via: 'seed' } });
    }
    ids.set(user.key, id);
    out.push({ role: user.role, email: user.email, password: user.password, created: !existing });
  }
  return out;
}

/** True when no user exists yet (a first run). */
export async function isFirstRun(kernel: Kernel): Promise<boolean> {
  const row = await kernel.knex('hostplane.users').count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0) === 0;
}

/**
 * A fresh install enables every first-party plugin it found (auth, accounts …): without them
 * nobody could sign in. Later starts leave the admin's choices alone.
 */
export async function enableFirstParty(kernel: Kernel): Promise<string[]> {
  const enabled: string[] = [];
  let waiting = kernel.plugins().filter((p) => p.source === 'first-party' && !p.enabled);
  // In rounds: a plugin found before one it requires (backups before websites) is refused until
  // that one is enabled, so it is tried again after each round that enabled something.
  for (;;) {
    const failed: Array<{ id: string; error: unknown }> = [];
    for (const plugin of waiting) {
      try {
        await kernel.enable(plugin.id);
        enabled.push(plugin.id);
      } catch (error) {
        failed.push({ id: plugin.id, error });
      }
    }
    if (failed.length === 0 || failed.length === waiting.length) {
      for (const { id, error } of failed)
        kernel.logger.error({ err: error, plugin: id }, 'could not enable a first-party plugin');
      return enabled;
    }
    waiting = waiting.filter((p) => failed.some((f) => f.id === p.id));
  }
}

/** Packages and subscriptions for the demo customers, when the accounts plugin is enabled. */
export async function seedAccounts(kernel: Kernel, io: { out(text: string): void; err(text: string): void }): Promise<void> {
  if (!kernel.plugin('accounts')?.enabled) return;
  await kernel.runCommand('accounts', 'seed', [], io);
}
