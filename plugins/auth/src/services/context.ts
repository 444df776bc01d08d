/** The dependencies the flows share, built once per start in index.ts. */
import type {
  AuditService,
  DatabaseService,
  EventName,
  EventPayload,
  EventsService,
  Logger,
  MailerService,
  TenancyService,
  UsersService,
} from '@hostplane/sdk';
import type { AuthConfigValues } from '../config.js';
import type { ApiTokens } from './api-tokens.js';
import type { KeyRing } from './keys.js';
import type { LoginHistory } from './login-history.js';
import type { OneTimeTokens } from './one-time-tokens.js';
import type { SessionStore } from './sessions.js';
import type { Throttle } from './throttle.js';
import type { TwoFactor } from './two-factor.js';

/** Where a request came from, for throttles, history and audit entries. */
export interface RequestInfo {
  ip: string;
  userAgent: string | null;
  requestId: string | null;
  /** The device cookie the client sent, if any (see device-cookies.ts). */
  deviceToken?: string | null;
}

export interface AuthDeps {
  config: AuthConfigValues;
  db: DatabaseService;
  users: UsersService;
  tenancy: TenancyService;
  mailer: MailerService;
  audit: AuditService;
  events: EventsService;
  logger: Logger;
  now: () => Date;
  keys: KeyRing;
  sessions: SessionStore;
  oneTime: OneTimeTokens;
  twoFactor: TwoFactor;
  apiTokens: ApiTokens;
  history: LoginHistory;
  throttle: Throttle;
  commonPasswords: ReadonlySet<string>;
}

/**
 * Write a security event to the audit log. A failing audit store is logged, not thrown: the
 * action already happened and the caller must learn its outcome.
 */
export async function recordAudit(
  deps: Pick<AuthDeps, 'audit' | 'logger'>,
  info: RequestInfo | null,
  action: string,
  entry: { actorId?: string | null; target?: { type: string; id: string } | null; details?: Record<string, unknown> } = {},
): Promise<void> {
  try {
    await deps.audit.record({
      action,
      actorId: entry.actorId ?? null,
      target: entry.target ?? null,
      details: entry.details ?? {},
      ip: info?.ip ?? null,
      requestId: info?.requestId ?? null,
    });
  } catch (err) {
    deps.logger.error({ err, action }, 'audit entry could not be written');
  }
}

/** Emit an event without letting a failure reach the caller (handlers are observers). */
export async function emitQuietly<E extends EventName>(
  deps: Pick<AuthDeps, 'events' | 'logger'>,
  event: E,
  payload: EventPayload<E>,
  requestId: string | null,
): Promise<void> {
  try {
    await deps.events.emit(event, payload, requestId ? { requestId } : {});
  } catch (err) {
    deps.logger.error({ err, event }, 'event could not be emitted');
  }
}
