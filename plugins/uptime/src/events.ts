/** The events this plugin adds to the typed map, by declaration merging. */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /** A monitored address failed `failuresBeforeDown` checks in a row (it was up or not yet known). */
    'uptime.check.down': {
      checkId: string;
      websiteId: string;
      ownerId: string;
      url: string;
      /** What the last check saw: `HTTP 502`, `timed out after 10 s`, `connection refused` … */
      reason: string;
    };
    /** A monitored address that was down answered again. */
    'uptime.check.up': {
      checkId: string;
      websiteId: string;
      ownerId: string;
      url: string;
      /** How long it was down, in seconds. */
      downSeconds: number;
    };
  }
}

export {};
