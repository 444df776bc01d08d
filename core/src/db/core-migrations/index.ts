/**
 * Every core migration, in order. Listed by hand (not read from the folder) so the list is the
 * same whether the kernel runs from `.ts` sources or compiled `.js`, and bundlers can see it.
 * Names never change once released: they are the keys in `hostplane.core_migrations`.
 */
import type { NamedMigration } from '../migration-runner.js';

/** Core migrations, oldest first. */
export const coreMigrations: readonly NamedMigration[] = [
  { name: '0001_core', load: () => import('./0001_core.js') },
  { name: '0002_user_grants', load: () => import('./0002_user_grants.js') },
  { name: '0003_subscription_limits', load: () => import('./0003_subscription_limits.js') },
  { name: '0004_user_tree', load: () => import('./0004_user_tree.js') },
  { name: '0005_job_workers', load: () => import('./0005_job_workers.js') },
  { name: '0006_secrets', load: () => import('./0006_secrets.js') },
  { name: '0007_plugin_signing', load: () => import('./0007_plugin_signing.js') },
  { name: '0008_plugin_roles', load: () => import('./0008_plugin_roles.js') },
  { name: '0009_users_search_indexes', load: () => import('./0009_users_search_indexes.js') },
  { name: '0010_mail_delivery', load: () => import('./0010_mail_delivery.js') },
  { name: '0011_rate_limit_counters', load: () => import('./0011_rate_limit_counters.js') },
  { name: '0012_add_plugin_jobs', load: () => import('./0012_add_plugin_jobs.js') },
];
