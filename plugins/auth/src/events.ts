/** Events this plugin adds to the typed map. Payloads never carry credentials. */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /** An address was confirmed through its verification link. */
    'user.email-verified': { userId: string };
    /** Someone signed in (after the second factor, when on). */
    'session.created': { userId: string; sessionId: string; twoFactor: boolean; impersonatorId: string | null };
    /** Sessions ended: logout, revocation, password change or reset, refresh-token reuse. */
    'sessions.revoked': { userId: string; count: number; reason: string };
    /** A password was changed by its owner or reset through a mail. */
    'password.changed': { userId: string; via: 'change' | 'reset' };
  }
}

export {};
