/**
 * The payment webhook feature of billing in one place (routes, the job that applies events, the
 * CLI), so index.ts wires it with one call: see services/webhooks.ts and
 * services/payment-events.ts for what it does.
 */
import type {
  AuditService,
  ClockService,
  CommandDefinition,
  ExtensionsService,
  JobHandler,
  JobsService,
  Logger,
  MailerService,
  RouteApp,
  SecretsService,
  UsersService,
} from '@hostplane/sdk';
import { Disputes } from './services/disputes.js';
import { dateOf } from './services/periods.js';
import { webhookCommands } from './commands/webhooks.js';
import { webhookRoutes } from './routes/webhooks.js';
import type { Credits } from './services/credits.js';
import type { InvoiceService } from './services/invoices.js';
import { PaymentAccounts } from './services/payment-accounts.js';
import { PaymentEvents } from './services/payment-events.js';
import type { BillingStore } from './services/store.js';
import { PAYMENT_EVENT_JOB, Webhooks, type PaymentEventKey } from './services/webhooks.js';

export interface PaymentWebhooks {
  accounts: PaymentAccounts;
  webhooks: Webhooks;
  events: PaymentEvents;
  disputes: Disputes;
  /** Register with `ctx.routes(routes, { prefix })`. */
  routes: (app: RouteApp) => Promise<void>;
  prefix: '/billing/webhooks';
  job: { name: typeof PAYMENT_EVENT_JOB; handler: JobHandler<PaymentEventKey>; maxAttempts: number };
  commands: CommandDefinition<unknown, unknown>[];
}

export function paymentWebhooks(deps: {
  store: BillingStore;
  invoices: InvoiceService;
  credits: Credits;
  jobs: JobsService;
  extensions: ExtensionsService;
  secrets: SecretsService;
  audit: AuditService;
  logger: Logger;
  mailer: MailerService;
  users: UsersService;
  clock: ClockService;
}): PaymentWebhooks {
  const accounts = new PaymentAccounts(deps.secrets);
  const webhooks = new Webhooks({ store: deps.store, jobs: deps.jobs, extensions: deps.extensions, accounts });
  const disputes = new Disputes({ ...deps, today: () => dateOf(deps.clock.now()) });
  const events = new PaymentEvents({ ...deps, disputes, accounts });
  return {
    accounts,
    webhooks,
    events,
    disputes,
    routes: webhookRoutes({ webhooks }),
    prefix: '/billing/webhooks',
    job: {
      name: PAYMENT_EVENT_JOB,
      // A failed refund of an overpayment retries with backoff; the row shows the last error meanwhile.
      maxAttempts: 10,
      handler: async (payload, job) => {
        const outcome = await events.process(payload);
        job.logger.info({ ...payload, outcome }, 'payment event processed');
      },
    },
    commands: webhookCommands({ store: deps.store, webhooks, accounts }),
  };
}
