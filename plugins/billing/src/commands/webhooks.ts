/**
 * `hostplane billing webhooks list|replay`: the payment events billing received, and processing
 * one again (`replay <event-id>`: the stored event goes through the same durable job; applying
 * is idempotent, so a replay pays nothing twice). Also `hostplane billing payment-account
 * set|show|clear` for a reseller's own gateway keys (sealed; docs/decisions/0037).
 */
import type { CommandDefinition } from '@hostplane/sdk';
import { isIssuerId, PLATFORM_ISSUER, type PaymentAccounts } from '../services/payment-accounts.js';
import type { BillingStore } from '../services/store.js';
import type { Webhooks } from '../services/webhooks.js';
import { parse, table, UsageError, withUsage } from './support.js';

const WEBHOOKS_USAGE =
  'hostplane billing webhooks list [--unprocessed] [--limit N] [--json] | hostplane billing webhooks replay <event-id> [--gateway G] [--issuer I] [--wait]';
const ACCOUNT_USAGE =
  'hostplane billing payment-account set <reseller-id> --gateway G --secret NAME=VALUE… | show <reseller-id> --gateway G | clear <reseller-id> --gateway G';
const WAIT_MS = 60_000;

export function webhookCommands(deps: {
  store: BillingStore;
  webhooks: Webhooks;
  accounts: PaymentAccounts;
}): CommandDefinition<unknown, unknown>[] {
  const { store, webhooks, accounts } = deps;
  return [
    {
      name: 'webhooks',
      description: 'Payment gateway events received: list them, or replay one (processed again, idempotently)',
      usage: 'list [--unprocessed] | replay <event-id> [--gateway G] [--issuer I] [--wait]',
      run: (args, io) =>
        withUsage(io, WEBHOOKS_USAGE, async () => {
          const [sub, ...rest] = args;
          if (sub === 'list') {
            const { values, positionals } = parse(rest, { unprocessed: { type: 'boolean' }, limit: { type: 'string' } });
            if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
            const limit = Number(values.limit ?? 50);
            if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be 1 to 1000');
            const q = store.db.table('payment_events').orderBy('received_at', 'desc').limit(limit);
            if (values.unprocessed) q.whereNull('processed_at');
            const rows = (await q.select(
              'event_id as event',
              'gateway',
              'issuer',
              'gateway_type as type',
              'invoice_ref as invoice',
              'amount',
              'received_at as received',
              'outcome',
            )) as Array<Record<string, unknown>>;
            for (const r of rows) r.received = (r.received as Date).toISOString();
            io.out(
              values.json
                ? JSON.stringify(rows, null, 2)
                : table(rows, ['event', 'gateway', 'issuer', 'type', 'invoice', 'amount', 'received', 'outcome']),
            );
            return 0;
          }
          if (sub !== 'replay') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'list or replay?');
          const { values, positionals } = parse(rest, {
            gateway: { type: 'string' },
            issuer: { type: 'string' },
            wait: { type: 'boolean' },
          });
          if (positionals.length !== 1) throw new UsageError('replay takes one event id');
          const key = await webhooks.replay(positionals[0]!, {
            ...(values.gateway ? { gateway: values.gateway as string } : {}),
            ...(values.issuer ? { issuer: values.issuer as string } : {}),
          });
          if (!values.wait) {
            io.out(
              values.json
                ? JSON.stringify({ ...key, queued: true })
                : `Event ${key.eventId} (${key.gateway}, ${key.issuer}) is queued to be processed again by the hosts' workers`,
            );
            return 0;
          }
          const deadline = Date.now() + WAIT_MS;
          for (;;) {
            const row = (await store.db
              .table('payment_events')
              .where({ gateway: key.gateway, issuer: key.issuer, event_id: key.eventId })
              .first('processed_at', 'outcome')) as { processed_at: Date | null; outcome: string | null };
            if (row.processed_at) {
              io.out(values.json ? JSON.stringify({ ...key, outcome: row.outcome }) : `Event ${key.eventId}: ${row.outcome}`);
              return 0;
            }
            if (Date.now() > deadline) {
              io.err(`Event ${key.eventId} is queued but no worker processed it within ${WAIT_MS / 1000} s (is a host running?)`);
              return 1;
            }
            await new Promise((r) => setTimeout(r, 200));
          }
        }),
    },
    {
      name: 'payment-account',
      description: "A reseller's own payment gateway keys (sealed): set, show (names only) or clear",
      usage: 'set|show|clear <reseller-id> --gateway G [--secret NAME=VALUE …]',
      run: (args, io) =>
        withUsage(io, ACCOUNT_USAGE, async () => {
          const [sub, ...rest] = args;
          const { values, positionals } = parse(rest, {
            gateway: { type: 'string' },
            secret: { type: 'string', multiple: true },
          });
          const issuer = positionals[0];
          const gateway = values.gateway as string | undefined;
          if (!issuer || positionals.length !== 1) throw new UsageError('name one reseller id');
          if (issuer === PLATFORM_ISSUER)
            throw new UsageError("the platform's keys are the gateway plugin's config (hostplane plugins config set …)");
          if (!isIssuerId(issuer)) throw new UsageError(`"${issuer}" is not a user id`);
          if (!gateway || !/^[a-z][a-z0-9-]{0,39}$/.test(gateway))
            throw new UsageError('--gateway names the gateway, e.g. stripe');
          if (sub === 'show') {
            const names = await accounts.names(gateway, issuer);
            io.out(
              values.json ? JSON.stringify({ gateway, issuer, secrets: names }) : names.length ? names.join('\n') : '(none)',
            );
            return 0;
          }
          if (sub === 'clear') {
            await accounts.set(gateway, issuer, {});
            io.out(`Keys of ${issuer} for ${gateway} removed`);
            return 0;
          }
          if (sub !== 'set') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'set, show or clear?');
          const pairs = (values.secret as unknown as string[] | undefined) ?? [];
          if (!pairs.length) throw new UsageError('give at least one --secret NAME=VALUE (e.g. secretKey=sk_live_…)');
          const secrets: Record<string, string> = {};
          for (const pair of pairs) {
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq);
            if (eq < 1 || !/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(name)) throw new UsageError(`--secret ${name || pair}: NAME=VALUE`);
            // eslint-disable-next-line no-control-regex -- control characters are what is refused
            if (!/^[^\u0000-\u001f\u007f]{1,500}$/.test(pair.slice(eq + 1)))
              throw new UsageError(`--secret ${name}: 1 to 500 printable characters`);
            secrets[name] = pair.slice(eq + 1);
          }
          await accounts.set(gateway, issuer, secrets);
          io.out(`Keys of ${issuer} for ${gateway} stored (sealed): ${Object.keys(secrets).sort().join(', ')}`);
          return 0;
        }),
    },
  ];
}
