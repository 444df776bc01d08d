// The websites plugin's events (website.creating, website.file.writing …), which this plugin guards.
import type {} from '@hostplane/plugin-websites';

/** The events this plugin adds to the typed map, by declaration merging. */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /**
     * A subscription crossed a quota threshold this period: `warning` at the configured percent
     * (80 by default), `exceeded` at 100. Emitted once per subscription, resource, period and level.
     */
    'usage.threshold.crossed': {
      subscriptionId: string;
      customerId: string;
      resource: 'disk_mb' | 'bandwidth_gb';
      level: 'warning' | 'exceeded';
      used: number;
      limit: number;
      /** `disk` for disk space; `YYYY-MM` for a month of bandwidth. */
      period: string;
      /**
       * What was done about it: `notified`, or with bandwidth's overage action `suspended` or
       * `throttled` (the subscription's sites served slower until the month's use is under the
       * limit again: a new month, or a larger package).
       */
      action: 'notified' | 'suspended' | 'throttled';
    };
  }
}

export {};
