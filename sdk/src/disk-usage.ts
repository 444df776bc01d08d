/**
 * Disk a plugin keeps for subscriptions beyond their websites' files: databases today,
 * mailboxes later. The usage metering plugin adds it to each subscription's `disk_mb` (what
 * packages limit, the panel's usage bars and the "disk full" refusals), so a package's disk
 * quota covers everything a customer stores, not only their sites.
 */

/** One kind of stored data, measured by the plugin that keeps it (`ctx.extend(extensionPoints.diskUsage, …)`). */
export interface DiskUsageSource {
  /** What the bytes are, for people and the usage history: `databases`. Kebab-case, unique per source. */
  readonly kind: string;
  /**
   * Bytes per subscription as last measured (the source measures on its own schedule; this reads
   * its figures and must be cheap). Subscriptions with nothing stored may be left out.
   */
  bytesBySubscription(): Promise<Map<string, number>>;
}
