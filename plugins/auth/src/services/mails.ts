/**
 * The mails the plugin sends, as templates (docs/decisions/0062): the kernel wraps them in the
 * sender's branding (the recipient's reseller, or the platform). Links point at the panel
 * (`publicUrl`); the one-time token is in the link.
 */
import { defineMailTemplate, Type } from '@hostplane/sdk';

/** A panel link carrying a one-time token. */
export function tokenLink(publicUrl: string, path: string, token: string): string {
  return `${panelUrl(publicUrl, path)}?token=${encodeURIComponent(token)}`;
}

export function panelUrl(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path}`;
}

const Url = Type.String({ minLength: 1, maxLength: 2000 });
const SAMPLE_BASE = 'https://panel.example.com';

export const verificationMail = defineMailTemplate({
  id: 'auth.verify-email',
  description: 'Sent after sign-up (and on request) to confirm the address; the link works once, for 24 hours',
  variables: Type.Object({ url: Url }),
  sample: { url: `${SAMPLE_BASE}/verify-email?token=sample-token` },
  render: ({ url }) => ({
    subject: 'Confirm your email address',
    blocks: [
      'Hello,',
      'confirm that this address is yours by opening this link:',
      { action: { label: 'Confirm my address', url } },
      'The link works once, for 24 hours. If you did not sign up, ignore this mail.',
    ],
  }),
});

/** Sent instead of a verification mail when someone registers an address that has an account. */
export const alreadyRegisteredMail = defineMailTemplate({
  id: 'auth.already-registered',
  description: 'Sent instead of a verification mail when someone signs up with an address that has an account',
  variables: Type.Object({ loginUrl: Url, resetUrl: Url }),
  sample: { loginUrl: `${SAMPLE_BASE}/login`, resetUrl: `${SAMPLE_BASE}/forgot-password` },
  render: ({ loginUrl, resetUrl }) => ({
    subject: 'You already have an account',
    blocks: [
      'Hello,',
      'someone (hopefully you) tried to create an account with this address, which already has one.',
      { action: { label: 'Sign in', url: loginUrl } },
      { action: { label: 'Reset your password', url: resetUrl } },
      'If it was not you, you can ignore this mail.',
    ],
  }),
});

export const resetMail = defineMailTemplate({
  id: 'auth.reset-password',
  description: 'Sent when someone asks to reset their password; the link works once, for 30 minutes',
  variables: Type.Object({ url: Url }),
  sample: { url: `${SAMPLE_BASE}/reset-password?token=sample-token` },
  render: ({ url }) => ({
    subject: 'Reset your password',
    blocks: [
      'Hello,',
      'to choose a new password, open this link:',
      { action: { label: 'Choose a new password', url } },
      'The link works once, for 30 minutes. If you did not ask for it, ignore this mail: your password stays as it is.',
    ],
  }),
});

/** Sent when an administrator requires a new password; the link lives longer than a self-service one. */
export const forcedResetMail = defineMailTemplate({
  id: 'auth.forced-reset',
  description: 'Sent when an administrator requires a new password (sessions revoked, old password void)',
  variables: Type.Object({ url: Url, hours: Type.Integer({ minimum: 1 }) }),
  sample: { url: `${SAMPLE_BASE}/reset-password?token=sample-token`, hours: 72 },
  render: ({ url, hours }) => ({
    subject: 'Choose a new password',
    blocks: [
      'Hello,',
      'an administrator of your account requires you to choose a new password. ' +
        'You have been signed out everywhere, and your old password no longer signs you in.',
      { action: { label: 'Choose a new password', url } },
      `The link works once, for ${hours} hours. After that, ask for a new one on the sign-in page.`,
    ],
  }),
});

/** Sent for an account someone else made without a password: the link sets the first one. */
export const welcomeMail = defineMailTemplate({
  id: 'auth.welcome',
  description: 'Sent when an account is created for someone without a password: a link to choose one',
  variables: Type.Object({
    email: Type.String({ maxLength: 320 }),
    url: Url,
    forgotUrl: Url,
    hours: Type.Integer({ minimum: 1 }),
  }),
  sample: {
    email: 'ada@example.com',
    url: `${SAMPLE_BASE}/reset-password?token=sample-token`,
    forgotUrl: `${SAMPLE_BASE}/forgot-password`,
    hours: 72,
  },
  render: ({ email, url, forgotUrl, hours }, brand) => ({
    subject: `Your ${brand.name} account is ready: choose a password`,
    blocks: [
      'Hello,',
      `an account at ${brand.name} was created for ${email}. Choose your password to sign in:`,
      { action: { label: 'Choose my password', url } },
      `The link works once, for ${hours} hours. After that, ask for a new one with "Forgot password" at ${forgotUrl}.`,
      'If you expected no account, you can ignore this mail.',
    ],
  }),
});

/** Every template of the plugin, for `definePlugin({ mails })`. */
export const authMails = [verificationMail, alreadyRegisteredMail, resetMail, forcedResetMail, welcomeMail];
