import { Type, type Static } from '@hostplane/sdk';

/** Config an admin changes with `hostplane plugins config set metering key=value`. */
export const MeteringConfig = Type.Object(
  {
    diskSchedule: Type.String({
      title: 'Disk schedule',
      default: '17 * * * *',
      maxLength: 100,
      description: 'Cron: when every site’s disk use is measured',
    }),
    trafficSchedule: Type.String({
      title: 'Traffic schedule',
      default: '*/5 * * * *',
      maxLength: 100,
      description: 'Cron: when the web server’s logs are rotated and counted',
    }),
    diskOpsPerSecond: Type.Integer({
      title: 'Disk I/O budget',
      default: 2000,
      minimum: 10,
      maximum: 1_000_000,
      description: 'File-system calls per second one measurement may make (bounded I/O)',
    }),
    diskConcurrency: Type.Integer({
      title: 'Disk measurements at once',
      default: 2,
      minimum: 1,
      maximum: 64,
      description: 'Sites measured at the same time (each on a worker-pool thread)',
    }),
    maxEntriesPerSite: Type.Integer({
      title: 'Entries per site',
      default: 2_000_000,
      minimum: 1000,
      maximum: 100_000_000,
      description: 'Files and folders counted per site at most; beyond, the measurement is marked truncated',
    }),
    warnPercent: Type.Integer({
      title: 'Warning threshold',
      default: 80,
      minimum: 1,
      maximum: 99,
      description: 'Percent of a quota at which the customer is warned (once per period)',
    }),
    bandwidthOverage: Type.Union([Type.Literal('notify'), Type.Literal('throttle'), Type.Literal('suspend')], {
      title: 'Bandwidth overage',
      default: 'notify',
      description:
        "What happens when a subscription uses more than its monthly bandwidth: 'notify' mails the customer; 'throttle' also serves its websites slower (see the throttle settings) until the month's use is under the limit again (a new month, a larger package); 'suspend' suspends the subscription (an administrator lifts it)",
    }),
    throttleKilobytesPerSecond: Type.Integer({
      title: 'Throttled speed',
      default: 128,
      minimum: 1,
      maximum: 1_048_576,
      description: "With the 'throttle' overage action: kilobytes per second each answer of a throttled website is sent at",
    }),
    throttleConnections: Type.Integer({
      title: 'Throttled connections',
      default: 10,
      minimum: 1,
      maximum: 10_000,
      description:
        "With the 'throttle' overage action: answers a throttled website serves at once (more are refused with 503), which caps its total speed",
    }),
    metricsTopSites: Type.Integer({
      title: 'Sites in metrics',
      default: 20,
      minimum: 0,
      maximum: 500,
      description: 'Busiest sites given their own label in /v1/metering/metrics; the rest add up as site="_other"',
    }),
    logSearchMaxMb: Type.Integer({
      title: 'Log search budget',
      default: 16,
      minimum: 1,
      maximum: 1024,
      description: 'Megabytes of logs one search reads at most (newest first)',
    }),
    historyDays: Type.Integer({
      title: 'History kept',
      default: 400,
      minimum: 7,
      maximum: 3650,
      description: 'Days of traffic and disk history kept',
    }),
  },
  { additionalProperties: false },
);

export type MeteringConfig = Static<typeof MeteringConfig>;
