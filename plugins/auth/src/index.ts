/**
 * auth: accounts and sign-in. Registration with email verification, password login with
 * optional TOTP, JWT access tokens over hashed, sliding sessions (also as a panel cookie),
 * rotating refresh tokens, personal API tokens, throttling and audit of every security event.
 * Wiring only: the logic is in services/, the HTTP surface in routes/.
 */
import { coreServices, definePlugin, extensionPoints } from '@hostplane/sdk';
import { revokeSessionsCommand } from './commands.js';
import { AuthConfig } from './config.js';
import { authRoutes } from './routes/index.js';
import { userActionRoutes } from './routes/user-actions.js';
import { ApiTokens } from './services/api-tokens.js';
import { createAuthenticator } from './services/authenticator.js';
import type { AuthDeps } from './services/context.js';
import { deriveKeys, KeyRing, loadMasterSecret } from './services/keys.js';
import { LoginHistory } from './services/login-history.js';
import { OneTimeTokens } from './services/one-time-tokens.js';
import { loadCommonPasswords } from './services/password-policy.js';
import { SessionStore } from './services/sessions.js';
import { Throttle } from './services/throttle.js';
import { TwoFactor } from './services/two-factor.js';
import { welcomeIfPasswordless } from './services/welcome.js';
import { authMails } from './services/mails.js';
import './events.js';

export { AuthConfig } from './config.js';

export default definePlugin({
  id: 'auth',
  sdk: '^0.1.0',
  provides: ['authenticator'],
  config: AuthConfig,
  permissions: ['http:routes', 'db', 'users', 'mailer', 'audit', 'events:emit', 'events:subscribe', 'settings'],
  mails: authMails,
  rbac: {
    'auth.session.manage': {
      description: 'List and sign out my own sessions',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'auth.token.manage': {
      description: 'Create, list and revoke my personal API tokens',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'auth.session.revoke-others': {
      description: 'End every session and API token of a user in my tree',
      roles: ['reseller'],
    },
    'auth.user.impersonate': {
      description: 'Act as a customer in my tree (audited; the session records who really acts)',
      roles: ['reseller'],
    },
    'auth.user.force-password-reset': {
      description: 'Sign a user in my tree out everywhere and require a new password',
      roles: ['reseller'],
    },
    'auth.user.login-history': {
      description: 'Read the sign-in history of users in my tree',
      roles: ['reseller'],
    },
  },
  deps: {
    db: coreServices.database,
    users: coreServices.users,
    tenancy: coreServices.tenancy,
    mailer: coreServices.mailer,
    audit: coreServices.audit,
    events: coreServices.events,
    settings: coreServices.settings,
    clock: coreServices.clock,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, users, tenancy, mailer, audit, events, clock } = ctx.deps;
    const config = ctx.config;
    const now = () => clock.now();
    const keys = new KeyRing();
    const deps: AuthDeps = {
      config,
      db,
      users,
      tenancy,
      mailer,
      audit,
      events,
      logger: ctx.logger,
      now,
      keys,
      sessions: new SessionStore({
        db,
        now,
        idleDays: () => config.sessionIdleDays,
        refreshTtlDays: () => config.refreshTokenTtlDays,
      }),
      oneTime: new OneTimeTokens({ db, now }),
      twoFactor: new TwoFactor({ db, logger: ctx.logger, now, keys, issuer: () => config.issuer }),
      apiTokens: new ApiTokens({ db, now }),
      history: new LoginHistory({ db, now }),
      throttle: new Throttle({ db, now, windowMs: () => config.throttleWindowMinutes * 60_000 }),
      // Filled in start (reading the shipped list is I/O).
      commonPasswords: new Set(),
    };
    state.set(db, deps);
    ctx.routes(authRoutes(deps));
    // Actions on a user that are made of sessions and credentials, beside the accounts plugin's.
    ctx.routes(userActionRoutes(deps), { prefix: '/users' });
    ctx.extend(extensionPoints.authenticator, createAuthenticator(deps));
    ctx.command(revokeSessionsCommand(deps));
    // An account made for someone without a password gets a link to choose one.
    ctx.on('user.created', async ({ userId }) => {
      await welcomeIfPasswordless(deps, userId);
    });
  },
  async start(ctx) {
    const deps = state.get(ctx.deps.db);
    if (!deps) throw new Error('auth: start without setup');
    deps.commonPasswords = loadCommonPasswords();
    deps.keys.set(deriveKeys(await loadMasterSecret(ctx.config.jwtSecret, ctx.deps.settings, ctx.deps.db)));
    // Not awaited: nothing at start needs it, and its statements would lengthen every boot.
    void housekeeping(deps);
  },
  stop(ctx) {
    state.get(ctx.deps.db)?.keys.set(undefined);
    state.delete(ctx.deps.db);
  },
});

// setup and start of one activation share the deps setup builds. Keyed by the activation's own
// database service (one instance per plugin container), not by id: a CLI command runs setup
// again in the same process and must not replace a running instance's state.
const state = new WeakMap<object, AuthDeps>();

/** Drop what can no longer be used. Best effort: a failure is logged, not fatal. */
async function housekeeping(deps: AuthDeps): Promise<void> {
  try {
    const sessions = await deps.sessions.prune();
    const tokens = await deps.oneTime.prune();
    const events = await deps.throttle.sweep();
    const history = await deps.history.prune();
    deps.logger.info({ sessions, tokens, events, history }, 'auth housekeeping done');
  } catch (err) {
    deps.logger.warn({ err }, 'auth housekeeping failed');
  }
}
