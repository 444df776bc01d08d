/** Every route of the plugin, under /v1/auth, in one encapsulated scope. */
import type { RouteApp } from '@hostplane/sdk';
import { Throttled } from '../errors.js';
import type { AuthDeps } from '../services/context.js';
import { apiTokenRoutes } from './api-tokens.js';
import { impersonationRoutes } from './impersonation.js';
import { loginHistoryRoutes } from './login-history.js';
import { loginRoutes } from './login.js';
import { meRoutes } from './me.js';
import { passwordRoutes } from './passwords.js';
import { registrationRoutes } from './registration.js';
import { sessionRoutes } from './sessions.js';
import { twoFactorRoutes } from './two-factor.js';

export function authRoutes(deps: AuthDeps) {
  return async (app: RouteApp): Promise<void> => {
    // A throttled answer carries Retry-After; everything else is the host's to render, so
    // this handler only adds the header and hands the error up to the host's handler.
    app.setErrorHandler((err, _request, reply) => {
      if (Throttled.is(err)) {
        const details = err.details as { retryAfterSeconds: number };
        reply.header('retry-after', String(details.retryAfterSeconds));
      }
      throw err;
    });
    for (const register of [
      registrationRoutes,
      loginRoutes,
      meRoutes,
      sessionRoutes,
      impersonationRoutes,
      passwordRoutes,
      twoFactorRoutes,
      apiTokenRoutes,
      loginHistoryRoutes,
    ]) {
      register(deps)(app);
    }
  };
}
