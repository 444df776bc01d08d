/**
 * Billing's mails as templates (docs/decisions/0062), sent in the invoice issuer's name and
 * branding: the invoice and the credit note (PDF attached) and the dunning reminders before and
 * after the due date.
 * Amounts arrive formatted (`29.99 EUR`): the template only words them.
 */
import { defineMailTemplate, Type } from '@hostplane/sdk';

const Line = (maxLength = 200) => Type.String({ maxLength });

export const invoiceIssuedMail = defineMailTemplate({
  id: 'billing.invoice-issued',
  description: 'Sent to the customer when an invoice is issued, with the invoice PDF attached',
  variables: Type.Object({ customerName: Line(), number: Line(40), total: Line(40), dueDate: Line(10) }),
  sample: { customerName: 'Ada Lovelace', number: 'INV-2026-00042', total: '29.99 EUR', dueDate: '2026-12-19' },
  render: ({ customerName, number, total, dueDate }, brand) => ({
    subject: `Invoice ${number} from ${brand.name}`,
    blocks: [
      `Hello ${customerName},`,
      `invoice ${number} is attached: ${total}, due ${dueDate}.`,
      {
        facts: [
          ['Invoice', number],
          ['Amount', total],
          ['Due', dueDate],
        ],
      },
    ],
  }),
});

const Reminder = Type.Object({
  customerName: Line(),
  number: Line(40),
  dueDate: Line(10),
  /** Days after the due date (negative: before it). */
  day: Type.Integer({ minimum: -365, maximum: 3650 }),
  /** What is left to pay, formatted. */
  left: Line(40),
});

function when(day: number, dueDate: string): string {
  return day < 0 ? `is due on ${dueDate}` : day === 0 ? 'is due today' : `was due on ${dueDate} (${day} days ago)`;
}

export const invoiceReminderMail = defineMailTemplate({
  id: 'billing.invoice-reminder',
  description: 'Dunning: sent before and on the due date of an unpaid invoice (the days are in the billing config)',
  variables: Reminder,
  sample: { customerName: 'Ada Lovelace', number: 'INV-2026-00042', dueDate: '2026-12-19', day: -3, left: '29.99 EUR' },
  render: ({ customerName, number, dueDate, day, left }, brand) => ({
    subject: `Reminder: invoice ${number} ${when(day, dueDate)}`,
    blocks: [`Hello ${customerName},`, `invoice ${number} of ${brand.name} ${when(day, dueDate)}: ${left} left to pay.`],
  }),
});

export const invoiceOverdueMail = defineMailTemplate({
  id: 'billing.invoice-overdue',
  description: 'Dunning: sent on the configured days after the due date while an invoice stays unpaid',
  variables: Reminder,
  sample: { customerName: 'Ada Lovelace', number: 'INV-2026-00042', dueDate: '2026-12-19', day: 7, left: '29.99 EUR' },
  render: ({ customerName, number, dueDate, day, left }, brand) => ({
    subject: `Overdue: invoice ${number}`,
    blocks: [`Hello ${customerName},`, `invoice ${number} of ${brand.name} ${when(day, dueDate)}: ${left} left to pay.`],
  }),
});

export const creditNoteIssuedMail = defineMailTemplate({
  id: 'billing.credit-note-issued',
  description: 'Sent to the customer when a refund issues a credit note on an invoice, with the credit note PDF attached',
  variables: Type.Object({
    customerName: Line(),
    number: Line(40),
    invoiceNumber: Line(40),
    total: Line(40),
    /** How the amount reaches the customer: money back, or credit balance. */
    settlement: Type.Union([Type.Literal('refund'), Type.Literal('credit')]),
  }),
  sample: {
    customerName: 'Ada Lovelace',
    number: 'CN-2026-00007',
    invoiceNumber: 'INV-2026-00042',
    total: '11.90 EUR',
    settlement: 'refund',
  },
  render: ({ customerName, number, invoiceNumber, total, settlement }, brand) => ({
    subject: `Credit note ${number} from ${brand.name}`,
    blocks: [
      `Hello ${customerName},`,
      `credit note ${number} on invoice ${invoiceNumber} is attached: ${total} ` +
        (settlement === 'credit' ? 'added to your credit balance, for your next invoices.' : 'given back to you.'),
      {
        facts: [
          ['Credit note', number],
          ['Invoice', invoiceNumber],
          ['Amount', total],
        ],
      },
    ],
  }),
});

const DisputeFacts = {
  invoiceNumber: Line(40),
  customerName: Line(),
  /** The disputed amount, formatted. */
  amount: Line(40),
  /** The gateway's reason code, e.g. `fraudulent`. */
  reason: Line(100),
  gateway: Line(40),
};

export const disputeOpenedMail = defineMailTemplate({
  id: 'billing.dispute-opened',
  description: 'Sent to the seller when a customer disputes a card payment of one of its invoices (a chargeback or an inquiry)',
  variables: Type.Object({
    ...DisputeFacts,
    /** The last day to answer at the gateway, or empty. */
    answerBy: Line(10),
  }),
  sample: {
    invoiceNumber: 'INV-2026-00042',
    customerName: 'Ada Lovelace',
    amount: '29.99 EUR',
    reason: 'fraudulent',
    gateway: 'stripe',
    answerBy: '2026-12-19',
  },
  render: ({ invoiceNumber, customerName, amount, reason, gateway, answerBy }) => ({
    subject: `Payment disputed: invoice ${invoiceNumber}`,
    blocks: [
      `${customerName} disputed the payment of invoice ${invoiceNumber} (${amount}) with their bank.`,
      `Answer it with your evidence in your ${gateway} account${answerBy ? ` by ${answerBy}` : ''}. ` +
        'The invoice stays paid while the dispute is open; if it is lost, the payment is reversed and the invoice is owed again.',
      {
        facts: [
          ['Invoice', invoiceNumber],
          ['Customer', customerName],
          ['Amount', amount],
          ['Reason', reason],
          ...(answerBy ? ([['Answer by', answerBy]] as Array<[string, string]>) : []),
        ],
      },
    ],
  }),
});

export const disputeClosedMail = defineMailTemplate({
  id: 'billing.dispute-closed',
  description: 'Sent to the seller when a dispute of a payment closes: won, lost (the payment is reversed) or an inquiry closed',
  variables: Type.Object({
    ...DisputeFacts,
    outcome: Type.Union([Type.Literal('won'), Type.Literal('lost'), Type.Literal('closed')]),
    /** What the invoice owes now, formatted (after a lost dispute). */
    due: Line(40),
  }),
  sample: {
    invoiceNumber: 'INV-2026-00042',
    customerName: 'Ada Lovelace',
    amount: '29.99 EUR',
    reason: 'fraudulent',
    gateway: 'stripe',
    outcome: 'lost',
    due: '29.99 EUR',
  },
  render: ({ invoiceNumber, customerName, amount, reason, outcome, due }) => ({
    subject:
      outcome === 'won'
        ? `Dispute won: invoice ${invoiceNumber}`
        : outcome === 'lost'
          ? `Dispute lost: invoice ${invoiceNumber}`
          : `Dispute closed: invoice ${invoiceNumber}`,
    blocks: [
      outcome === 'won'
        ? `The dispute of ${customerName}'s payment of invoice ${invoiceNumber} (${amount}) was decided for you: the money stays yours.`
        : outcome === 'lost'
          ? `The dispute of ${customerName}'s payment of invoice ${invoiceNumber} (${amount}) was lost: the payment is reversed ` +
            `and the invoice is owed again (${due}). Reminders and suspension apply to it as to any unpaid invoice; ` +
            'the disputed card is not charged again automatically.'
          : `The inquiry about ${customerName}'s payment of invoice ${invoiceNumber} (${amount}) closed without a chargeback: the invoice stays paid.`,
      {
        facts: [
          ['Invoice', invoiceNumber],
          ['Customer', customerName],
          ['Amount', amount],
          ['Reason', reason],
          ['Outcome', outcome],
        ],
      },
    ],
  }),
});

export const billingMails = [
  invoiceIssuedMail,
  creditNoteIssuedMail,
  invoiceReminderMail,
  invoiceOverdueMail,
  disputeOpenedMail,
  disputeClosedMail,
];
