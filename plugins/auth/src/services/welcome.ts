/**
 * The welcome mail. An account someone made for another person without a password (an admin or
 * a reseller naming only the address) could never sign in: nobody knows a password and nothing
 * was mailed. Auth, which owns sign-in, answers `user.created` for such an account with a mail
 * holding a set-password link: a `reset_password` one-time token, so the reset page sets it,
 * and following it proves the address (the reset marks the e-mail verified).
 */
import { FIXED_TTL } from '../config.js';
import { recordAudit, type AuthDeps } from './context.js';
import { panelUrl, tokenLink, welcomeMail } from './mails.js';

/** Hours the link works: as long as an administrator's forced reset (read later than a self-service one). */
const WELCOME_HOURS = FIXED_TTL.forcedResetMs / 3600_000;

/**
 * Mail the set-password link when the new account has no password (and is live). Accounts made
 * with a password (self-registration, a creator who chose one) get nothing from here.
 */
export async function welcomeIfPasswordless(deps: AuthDeps, userId: string): Promise<boolean> {
  const user = await deps.users.get(userId);
  if (!user || user.hasPassword || user.status !== 'active') return false;
  const token = await deps.oneTime.issue(user.id, 'reset_password', FIXED_TTL.forcedResetMs);
  await deps.mailer.sendTemplate(welcomeMail, {
    to: user.email,
    recipientId: user.id,
    variables: {
      email: user.email,
      url: tokenLink(deps.config.publicUrl, '/reset-password', token),
      forgotUrl: panelUrl(deps.config.publicUrl, '/forgot-password'),
      hours: WELCOME_HOURS,
    },
  });
  await recordAudit(deps, null, 'auth.welcome.sent', { target: { type: 'user', id: user.id } });
  return true;
}
