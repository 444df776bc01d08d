/** The event this plugin adds to the typed map, by declaration merging. */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /** A greeting was stored (its banner is drawn later by a job). */
    'greeting.created': { greetingId: string; name: string };
  }
}

export {};
