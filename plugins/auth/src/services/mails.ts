/** The mails the plugin sends. Links point at the panel (`publicUrl`); the token is in the link. */
import type { MailMessage } from '@hostplane/sdk';

function link(publicUrl: string, path: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(token)}`;
}

export function verificationMail(publicUrl: string, to: string, token: string): MailMessage {
  const url = link(publicUrl, '/verify-email', token);
  return {
    to,
    subject: 'Confirm your email address',
    text:
      `Hello,\n\nconfirm that this address is yours by opening:\n\n${url}\n\n` +
      'The link works once, for 24 hours. If you did not sign up, ignore this mail.\n',
    tag: 'auth.verify-email',
  };
}

/** Sent instead of a verification mail when someone registers an address that has an account. */
export function alreadyRegisteredMail(publicUrl: string, to: string): MailMessage {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    to,
    subject: 'You already have an account',
    text:
      'Hello,\n\nsomeone (hopefully you) tried to create an account with this address, which already has one.\n\n' +
      `Sign in at ${base}/login, or reset your password at ${base}/forgot-password.\n` +
      'If it was not you, you can ignore this mail.\n',
    tag: 'auth.already-registered',
  };
}

export function resetMail(publicUrl: string, to: string, token: string): MailMessage {
  const url = link(publicUrl, '/reset-password', token);
  return {
    to,
    subject: 'Reset your password',
    text:
      `Hello,\n\nto choose a new password, open:\n\n${url}\n\n` +
      'The link works once, for 30 minutes. If you did not ask for it, ignore this mail: your password stays as it is.\n',
    tag: 'auth.reset-password',
  };
}

/** Sent when an administrator requires a new password; the link lives longer than a self-service one. */
export function forcedResetMail(publicUrl: string, to: string, token: string, hours: number): MailMessage {
  const url = link(publicUrl, '/reset-password', token);
  return {
    to,
    subject: 'Choose a new password',
    text:
      'Hello,\n\nan administrator of your account requires you to choose a new password. ' +
      'You have been signed out everywhere, and your old password no longer signs you in.\n\n' +
      `Choose a new one by opening:\n\n${url}\n\n` +
      `The link works once, for ${hours} hours. After that, ask for a new one on the sign-in page.\n`,
    tag: 'auth.forced-reset',
  };
}
