/** The uptime mails as templates (docs/decisions/0062), branded for the owner's reseller or the platform. */
import { defineMailTemplate, Type } from '@hostplane/sdk';

export const siteDownMail = defineMailTemplate({
  id: 'uptime.site-down',
  description: "Sent to a website's owner when one of its uptime checks finds it down (after the configured failures in a row)",
  variables: Type.Object({
    url: Type.String({ maxLength: 1300 }),
    reason: Type.String({ maxLength: 500 }),
    since: Type.String({ maxLength: 40, description: 'When the first failed check of this run was made (ISO 8601, UTC)' }),
  }),
  sample: { url: 'https://shop.example.com/', reason: 'HTTP 502', since: '2026-12-05T03:14:00.000Z' },
  render: ({ url, reason, since }) => ({
    subject: `Down: ${url}`,
    blocks: [
      'Hello,',
      `our uptime check cannot reach ${url}.`,
      {
        facts: [
          ['What the check saw', reason],
          ['Since', `${since.slice(0, 16).replace('T', ' ')} UTC`],
        ] as Array<[string, string]>,
      },
      'We keep checking and will mail you again when it answers.',
    ],
  }),
});

export const siteUpMail = defineMailTemplate({
  id: 'uptime.site-up',
  description: "Sent to a website's owner when a check that found it down finds it up again",
  variables: Type.Object({
    url: Type.String({ maxLength: 1300 }),
    downSeconds: Type.Integer({ minimum: 0 }),
  }),
  sample: { url: 'https://shop.example.com/', downSeconds: 540 },
  render: ({ url, downSeconds }) => ({
    subject: `Up again: ${url}`,
    blocks: [
      'Hello,',
      `${url} answers again.`,
      { facts: [['It was down for', duration(downSeconds)]] as Array<[string, string]> },
    ],
  }),
});

/** 540 → "9 minutes", 7260 → "2 hours 1 minute". */
export function duration(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${unit(hours, 'hour')} ${unit(rest, 'minute')}` : unit(hours, 'hour');
  return unit(Math.round(hours / 24), 'day');
}

export const uptimeMails = [siteDownMail, siteUpMail];
