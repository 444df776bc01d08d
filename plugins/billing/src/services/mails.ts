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

export const billingMails = [invoiceIssuedMail, creditNoteIssuedMail, invoiceReminderMail, invoiceOverdueMail];
