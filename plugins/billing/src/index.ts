/**
 * billing: invoices for subscriptions. A daily run queues one durable job per due subscription;
 * each makes that period's invoice once (gapless numbers per issuer and year) and moves the
 * subscription's next due date through accounts. Payments go through the `payment-gateway`
 * extension point. Wiring only: the logic is in services/.
 */
import { coreServices, definePlugin, extensionPoints, Type, type PaymentGateway } from '@hostplane/sdk';
import { accountsBillingRef } from '@hostplane/plugin-accounts';
import { billingCommands } from './commands/billing.js';
import { invoiceCommands } from './commands/invoices.js';
import { invoiceRoutes } from './routes/invoices.js';
import { draftRoutes } from './routes/drafts.js';
import { Drafts } from './services/drafts.js';
import { InvoiceService } from './services/invoices.js';
import { DELIVER_JOB, INVOICE_JOB, Invoicing, RUN_JOB, type InvoicePayload } from './services/invoicing.js';
import { Paying } from './services/paying.js';
import { Documents, RENDER_TASK } from './services/documents.js';
import { dateOf } from './services/periods.js';
import { BillingStore } from './services/store.js';
import { paymentWebhooks } from './payment-webhooks.js';
import { Credits } from './services/credits.js';
import { Refunds } from './services/refunds.js';
import { refundRoutes } from './routes/refunds.js';
import { creditNoteRoutes } from './routes/credit-notes.js';
import {
  CreditNoteDocuments,
  DELIVER_CREDIT_NOTE_JOB,
  RENDER_CREDIT_NOTE_TASK,
  queueCreditNoteDelivery,
} from './services/credit-note-documents.js';
import { profileRoutes } from './routes/profiles.js';
import { revenueRoutes } from './routes/revenue.js';
import { RevenueService } from './services/revenue.js';
import { Issuers } from './services/issuers.js';
import { Profiles } from './services/profiles.js';
import { creditRoutes } from './routes/credits.js';
import { Coupons } from './services/coupons.js';
import { issuerRoutes } from './routes/issuer.js';
import { couponRoutes, subscriptionCouponRoutes } from './routes/coupons.js';
import { PRORATE_JOB, Proration, type ProratePayload } from './services/proration.js';
import { Dunning } from './services/dunning.js';
import { PAGES } from './panel.js';
import { billingMails } from './services/mails.js';
import { billingMailBranding } from './services/mail-branding.js';
import { TaxRates } from './services/tax-rates.js';
import { taxRateRoutes } from './routes/tax-rates.js';
import { taxRateCommands } from './commands/tax-rates.js';
import { PaymentMethods } from './services/payment-methods.js';
import { paymentMethodRoutes } from './routes/payment-methods.js';
import { NextInvoices } from './services/next-invoice.js';
import { nextInvoiceRoutes, upcomingInvoiceRoutes } from './routes/next-invoice.js';

export { invoiceTotals, divRound, formatMoney } from './services/money.js';
export { resolveTax, isValidVatIdFormat } from './services/tax.js';
export { addCycle } from './services/periods.js';

const BillingConfig = Type.Object({
  runCron: Type.String({ default: '15 2 * * *', description: 'When the daily invoice run starts (cron, host time)' }),
  fontRegular: Type.String({
    default: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    description: 'TrueType font embedded in invoice PDFs (must cover your customers’ scripts)',
  }),
  fontBold: Type.String({ default: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', description: 'Its bold face' }),
  dunningRetryDays: Type.Array(Type.Integer({ minimum: 1, maximum: 365 }), {
    default: [1, 3, 5, 7],
    maxItems: 30,
    description: 'Days after the due date to charge a saved payment method again',
  }),
  dunningReminderDays: Type.Array(Type.Integer({ minimum: -60, maximum: 365 }), {
    default: [-3, 0, 3, 7],
    maxItems: 30,
    description: 'Days relative to the due date (negative: before) to mail a reminder',
  }),
  suspendAfterDays: Type.Integer({
    minimum: 0,
    maximum: 365,
    default: 14,
    description: 'Days overdue after which the subscription is suspended (reason billing); 0: never',
  }),
  terminateAfterDays: Type.Integer({
    minimum: 0,
    maximum: 3650,
    default: 0,
    description: 'Days overdue after which the subscription is terminated; 0 (default): never',
  }),
  paymentMethodsReturnUrl: Type.String({
    default: 'http://localhost:3000/p/billing/payment-methods',
    maxLength: 500,
    pattern: '^https?://[^\\s]+$',
    description: 'Where customers come back to after adding a card on the gateway’s page (the panel’s payment methods page)',
  }),
});

/** Documents by the config object setup and start share (two kernels in one process stay apart). */
const documentsOf = new WeakMap<object, Documents>();

export default definePlugin({
  id: 'billing',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0' },
  provides: ['mail-branding'],
  config: BillingConfig,
  mails: billingMails,
  permissions: ['http:routes', 'db', 'jobs', 'schedules', 'tasks', 'mailer', 'users', 'audit', 'secrets', 'events:subscribe'],
  database: { reads: { accounts: ['subscriptions', 'packages'] } },
  rbac: {
    'billing.invoice.read': {
      description: 'See invoices of you and your customers',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'billing.invoice.pay': { description: 'Pay your invoices', roles: ['reseller', 'customer'] },
    'billing.invoice.manage': {
      description: 'Mark paid, void and refund invoices you issued; grant credit',
      roles: ['reseller'],
    },
    'billing.coupon.manage': { description: 'Create and archive coupons for your customers', roles: ['reseller'] },
    'billing.coupon.redeem': { description: 'Redeem coupons on subscriptions', roles: ['reseller', 'customer'] },
    'billing.payment-method.manage': {
      description: 'See, add, remove and choose the default of your saved payment methods',
      roles: ['reseller', 'customer'],
    },
    'billing.tax-rate.manage': { description: 'Set the tax rates you charge your customers', roles: ['reseller'] },
    'billing.issuer.manage': {
      description: 'Set the name, address, tax id, numbering, logo, colour and payment keys your invoices go out with',
      roles: ['reseller'],
    },
    'billing.revenue.read': { description: 'See the revenue from your customers', roles: ['reseller'] },
    'billing.profile.manage': {
      description: 'See and change your billing address and tax id, and those of your customers',
      roles: ['reseller', 'customer'],
    },
  },
  deps: {
    db: coreServices.database,
    users: coreServices.users,
    tenancy: coreServices.tenancy,
    mailer: coreServices.mailer,
    jobs: coreServices.jobs,
    tasks: coreServices.tasks,
    audit: coreServices.audit,
    clock: coreServices.clock,
    extensions: coreServices.extensions,
    logger: coreServices.logger,
    secrets: coreServices.secrets,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, users, tenancy, mailer, jobs, tasks, audit, clock, extensions, logger } = ctx.deps;
    const store = new BillingStore(db);
    ctx.extend(extensionPoints.mailBranding, billingMailBranding(store));
    const credits = new Credits(store);
    const accounts = () => ctx.get(accountsBillingRef);
    const coupons = new Coupons(store);
    const invoicing = new Invoicing({ store, users, jobs, logger, accounts, credits, coupons });
    const invoices = new InvoiceService(store, tenancy, audit);
    const gateways = (): PaymentGateway[] => extensions.list(extensionPoints.paymentGateway);
    // Gateways' webhooks at /v1/billing/webhooks/:gateway, applied by a durable job; resellers' keys.
    const hooks = paymentWebhooks({
      store,
      invoices,
      credits,
      jobs,
      extensions,
      secrets: ctx.deps.secrets,
      audit,
      logger,
      mailer,
      users,
      clock,
    });
    const accountFor = (gateway: string, issuer: string) => hooks.accounts.get(gateway, issuer);
    const paying = new Paying(store, invoices, users, gateways, accountFor);
    const fonts = () => ({ regular: ctx.config.fontRegular, bold: ctx.config.fontBold });
    const documents = new Documents({ store, invoices, invoicing, users, mailer, tasks, fonts });
    documentsOf.set(ctx.config, documents);

    const dunning = new Dunning({
      store,
      invoices,
      invoicing,
      mailer,
      gateways,
      accounts,
      accountFor,
      logger,
      policy: () => ({
        retryDays: ctx.config.dunningRetryDays,
        reminderDays: ctx.config.dunningReminderDays,
        suspendAfterDays: ctx.config.suspendAfterDays,
        terminateAfterDays: ctx.config.terminateAfterDays,
      }),
    });
    invoices.paidListeners.push(async (row) => {
      try {
        await dunning.afterPaid(row, dateOf(clock.now()));
      } catch (err) {
        // The daily run lifts it then (Dunning.liftSettled).
        logger.warn({ err, invoiceId: row.id }, 'could not lift the billing suspension after a payment');
      }
    });
    // The gateways an issuer can take payments with now (a reseller without Stripe keys: not Stripe).
    const gatewayIds = async (issuer: string) => {
      const usable = await Promise.all(
        gateways().map(async (g) => (!g.accepts || g.accepts(await accountFor(g.id, issuer)) ? g.id : null)),
      );
      return usable.filter((id): id is string => id !== null);
    };
    ctx.routes(invoiceRoutes({ invoices, invoicing, tenancy, paying, documents, clock, gateways: gatewayIds }), {
      prefix: '/invoices',
    });
    const drafts = new Drafts({ store, invoices, invoicing, tenancy, users, audit, jobs, credits });
    ctx.routes(draftRoutes({ drafts, clock }), { prefix: '/invoices' });
    const refunds = new Refunds(store, invoices, credits, gateways, audit, () => dateOf(clock.now()), accountFor);
    ctx.routes(refundRoutes({ refunds }), { prefix: '/invoices' });
    // Each credit note's PDF and mail, queued in the transaction that issues it.
    const creditNotes = new CreditNoteDocuments({ store, mailer, tasks, fonts, unavailable: () => documents.unavailable() });
    refunds.issuedHooks.push((trx, note) => queueCreditNoteDelivery(jobs, trx, note.id));
    ctx.routes(creditNoteRoutes({ invoices, creditNotes }), { prefix: '/invoices' });
    ctx.task(RENDER_CREDIT_NOTE_TASK, new URL('./tasks/render-credit-note-pdf.js', import.meta.url));
    ctx.job<{ creditNoteId: string }>(DELIVER_CREDIT_NOTE_JOB, async ({ creditNoteId }) => {
      await creditNotes.deliver(creditNoteId);
    });
    ctx.routes(profileRoutes({ profiles: new Profiles(store, audit), tenancy }), { prefix: '/billing' });
    ctx.routes(revenueRoutes({ revenue: new RevenueService(store, tenancy), clock }), { prefix: '/billing' });
    ctx.routes(creditRoutes({ credits, invoicing, tenancy, audit }), { prefix: '/billing/credits' });
    ctx.routes(couponRoutes({ coupons, users }), { prefix: '/billing/coupons' });
    const issuers = new Issuers({
      store,
      audit,
      accounts: hooks.accounts,
      // Gateways that decide by the issuer's own account (Stripe); bank transfer needs no keys.
      gateways: () =>
        gateways()
          .filter((g) => g.accepts !== undefined)
          .map((g) => g.id),
      defaultName: async (issuer) => (await invoicing.issuerSettings(issuer)).name,
    });
    ctx.routes(issuerRoutes({ issuers, users }), { prefix: '/billing' });
    const pricesIncludeTax = async (issuer: string) => (await invoicing.issuerSettings(issuer)).pricesIncludeTax;
    const taxRates = new TaxRates(store, audit);
    ctx.routes(taxRateRoutes({ taxRates, users, pricesIncludeTax }), { prefix: '/billing/tax-rates' });
    for (const command of taxRateCommands({ taxRates, users })) ctx.command(command);
    const methods = new PaymentMethods({
      store,
      users,
      audit,
      gateways,
      accountFor,
      issuerOf: (userId) => invoicing.issuerOf(userId),
      returnUrl: () => ctx.config.paymentMethodsReturnUrl,
    });
    ctx.routes(paymentMethodRoutes({ methods }), { prefix: '/billing/payment-methods' });
    const nextInvoices = new NextInvoices({ store, tenancy, invoicing, coupons, credits, today: () => dateOf(clock.now()) });
    ctx.routes(nextInvoiceRoutes({ nextInvoices }), { prefix: '/billing/subscriptions' });
    ctx.routes(upcomingInvoiceRoutes({ nextInvoices }), { prefix: '/billing' });
    ctx.routes(subscriptionCouponRoutes({ coupons, invoicing, tenancy, store, clock }), { prefix: '/billing/subscriptions' });
    ctx.task(RENDER_TASK, new URL('./tasks/render-invoice-pdf.js', import.meta.url));
    ctx.job<{ invoiceId: string }>(DELIVER_JOB, async ({ invoiceId }) => {
      await documents.deliver(invoiceId);
    });
    ctx.job<{ date?: string }>(RUN_JOB, async (payload, job) => {
      const date = payload?.date ?? dateOf(clock.now());
      const overdue = await invoices.markOverdue(date);
      const queued = await invoicing.enqueueDue(date);
      const dunned = await dunning.run(date);
      job.logger.info({ date, queued: queued.length, overdue, dunned }, 'billing run queued the due subscriptions');
    });
    ctx.job<InvoicePayload>(
      INVOICE_JOB,
      async (payload, job) => {
        const result = await invoicing.runJob(payload);
        job.logger.debug({ ...payload, ...result }, 'subscription invoiced');
      },
      { maxAttempts: 10 },
    );
    // A package change is prorated by a durable job queued as soon as accounts' change commits.
    const proration = new Proration({ store, invoicing, users, credits, jobs });
    ctx.on('subscription.package_changed', async (change, meta) => {
      const payload: ProratePayload = { ...change, date: dateOf(clock.now()), eventId: meta.id };
      await jobs.enqueue(PRORATE_JOB, payload, { jobKey: `billing:prorate:${meta.id}` });
    });
    ctx.job<ProratePayload>(PRORATE_JOB, async (payload, job) => {
      const result = await proration.run(payload);
      job.logger.info({ ...payload, ...result }, 'package change prorated');
    });
    ctx.schedule('daily-run', { cron: ctx.config.runCron, job: RUN_JOB });
    for (const page of PAGES) ctx.page(page);
    for (const command of billingCommands({ invoicing, jobs, clock })) ctx.command(command);
    for (const command of invoiceCommands({ invoices, users, refunds })) ctx.command(command);
    ctx.routes(hooks.routes, { prefix: hooks.prefix });
    ctx.job(hooks.job.name, hooks.job.handler, { maxAttempts: hooks.job.maxAttempts });
    for (const command of hooks.commands) ctx.command(command);
  },
  start(ctx) {
    const reason = documentsOf.get(ctx.config)?.unavailable();
    ctx.reportHealth(reason ? 'degraded' : 'ok', reason ?? undefined);
  },
});
