/** The subscription mails as templates (docs/decisions/0062), branded for the customer's reseller or the platform. */
import { defineMailTemplate, Type } from '@hostplane/sdk';

export const subscriptionSuspendedMail = defineMailTemplate({
  id: 'accounts.subscription-suspended',
  description: 'Sent to the customer when a subscription is suspended (by its reseller, an admin, billing or metering)',
  variables: Type.Object({
    packageName: Type.String({ maxLength: 200 }),
    reason: Type.String({ maxLength: 500 }),
  }),
  sample: { packageName: 'Starter', reason: 'Invoice INV-2026-00042 is overdue' },
  render: ({ packageName, reason }) => ({
    subject: `Your ${packageName} subscription has been suspended`,
    blocks: [
      'Hello,',
      `your ${packageName} subscription has been suspended. While it is, its websites show a suspension notice instead of their pages.`,
      ...(reason ? [{ facts: [['Reason', reason]] as Array<[string, string]> }] : []),
      'Reply to this mail or contact us to have it lifted.',
    ],
  }),
});

export const accountsMails = [subscriptionSuspendedMail];
