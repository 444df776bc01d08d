/**
 * accounts: the business model of a host. Packages with prices, limits and features;
 * subscriptions that give customers a package's limits; the users and audit APIs, each scoped
 * to the caller's subtree of the tenancy tree inside SQL.
 */
import { coreServices, definePlugin } from '@hostplane/sdk';
import { packageRoutes } from './package-routes.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { userRoutes } from './user-routes.js';
import { auditRoutes } from './audit-routes.js';
import { providerRoutes } from './provider-routes.js';
import { seedCommand } from './seed.js';
import { cliCommands } from './commands/index.js';
import { PAGES } from './panel.js';
import { accountsBillingRef, createAccountsBillingService } from './billing-service.js';
import './events.js';

import { accountsSuspensionRef, createAccountsSuspensionService } from './suspension-service.js';
import { accountsMails } from './mails.js';

export { accountsBillingRef, type AccountsBillingService } from './billing-service.js';
export { accountsSuspensionRef, type AccountsSuspensionService } from './suspension-service.js';

export default definePlugin({
  id: 'accounts',
  sdk: '^0.1.0',
  // audit:read: the audit log API reads hostplane.audit_log through its own role.
  permissions: ['http:routes', 'db', 'users', 'limits', 'audit', 'audit:read', 'events:emit', 'events:subscribe', 'mailer'],
  mails: accountsMails,
  // Read by websites (suspension follows the subscription; limits of the package).
  database: { shares: ['subscriptions', 'packages'] },
  rbac: {
    'accounts.package.read': { description: 'See packages', roles: ['reseller', 'customer', 'technical_user'] },
    'accounts.package.write': { description: 'Create and change own packages', roles: ['reseller'] },
    'accounts.subscription.read': {
      description: 'See subscriptions in your subtree',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'accounts.subscription.write': { description: 'Assign packages and manage subscriptions', roles: ['reseller'] },
    'accounts.user.read': { description: 'See users in your subtree', roles: ['reseller', 'customer'] },
    'accounts.user.write': { description: 'Create and manage users below you', roles: ['reseller', 'customer'] },
    'accounts.user.restore': { description: 'Restore deleted users (admins)', roles: [] },
    'accounts.audit.read': { description: 'Read the audit log of your subtree', roles: ['reseller'] },
  },
  deps: {
    db: coreServices.database,
    users: coreServices.users,
    tenancy: coreServices.tenancy,
    limits: coreServices.limits,
    audit: coreServices.audit,
    events: coreServices.events,
    mailer: coreServices.mailer,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const deps = ctx.deps;
    ctx.routes(packageRoutes(deps), { prefix: '/packages' });
    ctx.routes(subscriptionRoutes(deps), { prefix: '/subscriptions' });
    ctx.routes(userRoutes(deps), { prefix: '/users' });
    ctx.routes(auditRoutes(deps), { prefix: '/audit' });
    ctx.routes(providerRoutes(deps), { prefix: '/provider' });
    ctx.command(seedCommand);
    for (const command of cliCommands) ctx.command(command);
    for (const page of PAGES) ctx.page(page);
    ctx.provide(accountsBillingRef, () => createAccountsBillingService(deps));
    ctx.provide(accountsSuspensionRef, () => createAccountsSuspensionService(deps));
  },
});
