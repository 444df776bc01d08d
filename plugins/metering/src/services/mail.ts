/**
 * The quota mails as templates (docs/decisions/0062): one at 80 % (`metering.quota-warning`),
 * one at 100 % (`metering.quota-exceeded`), saying what happens next. The kernel escapes and
 * brands them (the customer's reseller or the platform).
 */
import { defineMailTemplate, Type, type Static } from '@hostplane/sdk';

const QuotaVariables = Type.Object({
  resource: Type.Union([Type.Literal('disk_mb'), Type.Literal('bandwidth_gb')]),
  used: Type.Number({ minimum: 0 }),
  limit: Type.Number({ minimum: 0 }),
  /** The month, `YYYY-MM`, for bandwidth. */
  period: Type.String({ maxLength: 20 }),
  action: Type.Union([Type.Literal('notified'), Type.Literal('suspended'), Type.Literal('throttled')]),
});
type QuotaVariables = Static<typeof QuotaVariables>;

function content(level: 'warning' | 'exceeded', input: QuotaVariables) {
  const disk = input.resource === 'disk_mb';
  const what = disk ? 'disk space' : `bandwidth for ${input.period}`;
  const unit = disk ? 'MB' : 'GB';
  const figure = `${disk ? Math.ceil(input.used) : input.used.toFixed(2)} ${unit} of ${input.limit} ${unit}`;
  const subject =
    level === 'warning' ? `Your hosting package's ${what} is nearly used up` : `Your hosting package's ${what} is used up`;
  const consequence =
    input.action === 'suspended'
      ? 'Your subscription has been suspended until an administrator lifts the suspension.'
      : input.action === 'throttled'
        ? 'Your websites are served at a reduced speed until the end of the month, or until you upgrade your package.'
        : level === 'exceeded' && disk
          ? 'New websites and file uploads are refused until you free space or upgrade your package.'
          : level === 'exceeded'
            ? 'Please upgrade your package or contact us.'
            : 'Free space or upgrade your package before it runs out.';
  return { subject, blocks: [`You use ${figure}.`, consequence] };
}

export const quotaWarningMail = defineMailTemplate({
  id: 'metering.quota-warning',
  description: "Sent once per period when a subscription's disk or monthly bandwidth passes 80 % of its package",
  variables: QuotaVariables,
  sample: { resource: 'disk_mb', used: 850, limit: 1000, period: '2026-12', action: 'notified' },
  render: (variables) => content('warning', variables),
});

export const quotaExceededMail = defineMailTemplate({
  id: 'metering.quota-exceeded',
  description: "Sent once per period when a subscription's disk or monthly bandwidth reaches its package's limit",
  variables: QuotaVariables,
  sample: { resource: 'bandwidth_gb', used: 101.5, limit: 100, period: '2026-12', action: 'throttled' },
  render: (variables) => content('exceeded', variables),
});

export const meteringMails = [quotaWarningMail, quotaExceededMail];
