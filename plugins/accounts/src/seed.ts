/**
 * `hostplane accounts seed`: demo packages (Starter, Pro, Business; platform-owned, public,
 * EUR cents; Reseller, offered to resellers only) and active subscriptions for the demo users of
 * `hostplane seed`: the demo reseller's allowance (without one it could build no package of its
 * own) and its customers' plans. Idempotent: what exists is left alone, so it can run on every
 * demo boot.
 */
import type { CommandDefinition } from '@hostplane/sdk';
import { audit, type AccountsDeps } from './common.js';
import { fullFeatures, fullLimits, type PackageFeatures, type PackageLimits } from './package-schemas.js';
import { nextDue } from './subscriptions.js';

interface DemoPackage {
  name: string;
  description: string;
  visibility?: 'public' | 'reseller_only';
  prices: { monthly: number; quarterly: number; yearly: number };
  limits: PackageLimits;
  features: Partial<PackageFeatures>;
}

export const DEMO_PACKAGES: DemoPackage[] = [
  {
    name: 'Starter',
    description: 'One website with email, for a start',
    prices: { monthly: 499, quarterly: 1399, yearly: 4990 },
    limits: {
      disk_mb: 5_000,
      bandwidth_gb: 50,
      websites: 1,
      domains: 3,
      databases: 2,
      email_accounts: 5,
      cron_jobs: 2,
      backups: 3,
      backup_storage_mb: 5000,
    },
    features: { php_versions: ['8.2', '8.3'], malware_scan: true, backups: true },
  },
  {
    name: 'Pro',
    description: 'Several sites, SSH and Git deploys',
    prices: { monthly: 999, quarterly: 2799, yearly: 9990 },
    limits: {
      disk_mb: 20_000,
      bandwidth_gb: 200,
      websites: 5,
      domains: 10,
      databases: 10,
      email_accounts: 25,
      cron_jobs: 10,
      backups: 7,
      backup_storage_mb: 20000,
    },
    features: { ssh: true, git_deploy: true, php_versions: ['8.1', '8.2', '8.3'], waf: true, malware_scan: true, backups: true },
  },
  {
    name: 'Business',
    description: 'Many sites, staging, unmetered traffic',
    prices: { monthly: 2499, quarterly: 6999, yearly: 24990 },
    limits: {
      disk_mb: 100_000,
      bandwidth_gb: null,
      websites: 25,
      domains: 50,
      databases: 50,
      email_accounts: 100,
      cron_jobs: 50,
      backups: 30,
      backup_storage_mb: 100000,
    },
    features: {
      ssh: true,
      git_deploy: true,
      staging: true,
      php_versions: ['8.1', '8.2', '8.3', '8.4'],
      waf: true,
      malware_scan: true,
      backups: true,
    },
  },
  {
    // A reseller's allowance: the ceiling of the packages it builds for its customers.
    name: 'Reseller',
    description: 'For resellers: build your own packages within it',
    visibility: 'reseller_only',
    prices: { monthly: 4999, quarterly: 13999, yearly: 49990 },
    limits: {
      disk_mb: null,
      bandwidth_gb: null,
      websites: 100,
      domains: null,
      databases: null,
      email_accounts: null,
      cron_jobs: null,
      backups: null,
      backup_storage_mb: null,
    },
    features: {
      ssh: true,
      git_deploy: true,
      staging: true,
      php_versions: ['8.1', '8.2', '8.3', '8.4'],
      waf: true,
      malware_scan: true,
      backups: true,
    },
  },
];

/** Demo users (made by `hostplane seed`) and the package each gets. */
export const DEMO_SUBSCRIPTIONS = [
  { email: 'reseller@hostplane.test', packageName: 'Reseller' },
  { email: 'alice@hostplane.test', packageName: 'Starter' },
  { email: 'bob@hostplane.test', packageName: 'Pro' },
];

/** Create what is missing; returns one line per thing looked at. */
export async function seedAccounts(deps: AccountsDeps): Promise<string[]> {
  const { db } = deps;
  const out: string[] = [];
  const ids = new Map<string, { id: string; limits: PackageLimits }>();
  for (const demo of DEMO_PACKAGES) {
    const existing = (await db
      .table('packages')
      .whereNull('owner_id')
      .whereNull('archived_at')
      .where({ name: demo.name })
      .first('id', 'limits')) as { id: string; limits: Partial<PackageLimits> } | undefined;
    if (existing) {
      ids.set(demo.name, { id: existing.id, limits: fullLimits(existing.limits) });
      out.push(`package ${demo.name}: exists`);
      continue;
    }
    const id = await db.transaction(async (trx) => {
      const [row] = (await db
        .table('packages', trx)
        .insert({
          name: demo.name,
          description: demo.description,
          currency: 'EUR',
          price_monthly: demo.prices.monthly,
          price_quarterly: demo.prices.quarterly,
          price_yearly: demo.prices.yearly,
          setup_fee: 0,
          limits: JSON.stringify(demo.limits),
          features: JSON.stringify(fullFeatures(demo.features)),
          visibility: demo.visibility ?? 'public',
          owner_id: null,
        })
        .returning('id')) as Array<{ id: string }>;
      const created = (row as { id: string }).id;
      await audit(deps, null, 'accounts.package.created', { type: 'package', id: created }, { via: 'seed' }, trx);
      return created;
    });
    ids.set(demo.name, { id, limits: demo.limits });
    out.push(`package ${demo.name}: created`);
  }

  for (const demo of DEMO_SUBSCRIPTIONS) {
    const user = await deps.users.getByEmail(demo.email);
    const pkg = ids.get(demo.packageName);
    if (!user || !pkg) {
      out.push(`subscription for ${demo.email}: skipped (no such user; run \`hostplane seed\` first)`);
      continue;
    }
    const live = await db
      .table('subscriptions')
      .where({ customer_id: user.id })
      .whereIn('status', ['pending', 'active', 'suspended'])
      .first('id');
    if (live) {
      out.push(`subscription for ${demo.email}: exists`);
      continue;
    }
    await db.transaction(async (trx) => {
      const [row] = (await db
        .table('subscriptions', trx)
        .insert({
          customer_id: user.id,
          package_id: pkg.id,
          status: 'active',
          billing_cycle: 'monthly',
          next_due_date: nextDue('monthly'),
        })
        .returning('id')) as Array<{ id: string }>;
      const id = (row as { id: string }).id;
      await deps.limits.setLimits(id, pkg.limits, { trx });
      await audit(deps, null, 'accounts.subscription.created', { type: 'subscription', id }, { via: 'seed' }, trx);
      await deps.events.emit(
        'subscription.created',
        { subscriptionId: id, customerId: user.id, packageId: pkg.id, status: 'active' },
        { trx },
      );
    });
    out.push(`subscription for ${demo.email}: created (${demo.packageName})`);
  }
  return out;
}

/** The CLI command. */
export const seedCommand: CommandDefinition<unknown, AccountsDeps> = {
  name: 'seed',
  description: 'Create the demo packages and subscriptions (idempotent)',
  async run(_args, io, ctx) {
    for (const line of await seedAccounts(ctx.deps)) io.out(line);
    return 0;
  },
};
