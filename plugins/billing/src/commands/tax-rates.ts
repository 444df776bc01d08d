/**
 * `hostplane billing tax-rates list|add|remove`: an issuer's tax rates from the command line (the
 * platform's by default, a reseller's with `--issuer`), through the same service and checks as
 * `/v1/billing/tax-rates`; audited with no actor (the system).
 */
import type { CommandDefinition, UsersService } from '@hostplane/sdk';
import { PLATFORM_ISSUER } from '../services/payment-accounts.js';
import { taxRateView, type TaxRates } from '../services/tax-rates.js';
import { CLI_SOURCE, parse, table, UsageError, withUsage } from './support.js';

const USAGE =
  'hostplane billing tax-rates list [--issuer I] [--json] | add --country CC [--region R] --name N --rate BP [--issuer I] | remove <id>';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function taxRateCommands(deps: { taxRates: TaxRates; users: UsersService }): CommandDefinition<unknown, unknown>[] {
  const { taxRates, users } = deps;

  /** `platform` (default) or a reseller's id. */
  async function issuerOf(value: string | boolean | undefined): Promise<string> {
    const issuer = typeof value === 'string' ? value : PLATFORM_ISSUER;
    if (issuer === PLATFORM_ISSUER) return issuer;
    if (!UUID.test(issuer) || (await users.get(issuer))?.role !== 'reseller')
      throw new UsageError(`--issuer is "platform" or a reseller's id, not "${issuer}"`);
    return issuer;
  }

  return [
    {
      name: 'tax-rates',
      description: 'The tax rates an issuer charges (the platform by default): list, add or remove one',
      usage: 'list [--issuer I] | add --country CC [--region R] --name N --rate BP [--issuer I] | remove <id>',
      run: (args, io) =>
        withUsage(io, USAGE, async () => {
          const [sub, ...rest] = args;
          if (sub === 'list') {
            const { values, positionals } = parse(rest, { issuer: { type: 'string' } });
            if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
            const rows = (await taxRates.list(await issuerOf(values.issuer))).map(taxRateView);
            io.out(
              values.json
                ? JSON.stringify(rows, null, 2)
                : table(
                    rows.map((r) => ({ ...r, region: r.region ?? '', rate: `${r.rateBp / 100} %` })),
                    ['country', 'region', 'name', 'rate', 'id'],
                  ),
            );
            return 0;
          }
          if (sub === 'add') {
            const { values, positionals } = parse(rest, {
              issuer: { type: 'string' },
              country: { type: 'string' },
              region: { type: 'string' },
              name: { type: 'string' },
              rate: { type: 'string' },
            });
            if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
            const country = String(values.country ?? '');
            if (!/^[A-Z]{2}$/.test(country)) throw new UsageError('--country is two capital letters, e.g. DE');
            const name = String(values.name ?? '');
            // eslint-disable-next-line no-control-regex -- control characters are what is refused
            if (!/^[^\u0000-\u001f\u007f]{1,60}$/.test(name)) throw new UsageError('--name is 1 to 60 printable characters');
            const region = values.region === undefined ? undefined : String(values.region);
            // eslint-disable-next-line no-control-regex -- control characters are what is refused
            if (region !== undefined && !/^[^\u0000-\u001f\u007f]{1,50}$/.test(region))
              throw new UsageError('--region is 1 to 50 printable characters');
            const rate = Number(values.rate);
            if (!/^\d{1,5}$/.test(String(values.rate ?? '')) || rate > 10_000)
              throw new UsageError('--rate is basis points from 0 to 10000 (1900 = 19 %)');
            const row = await taxRates.create(
              await issuerOf(values.issuer),
              { country, name, rateBp: rate, ...(region !== undefined ? { region } : {}) },
              CLI_SOURCE,
            );
            io.out(values.json ? JSON.stringify(taxRateView(row)) : `Tax rate ${row.id} added: ${row.name}`);
            return 0;
          }
          if (sub === 'remove') {
            const { positionals } = parse(rest, {});
            const id = positionals[0];
            if (!id || positionals.length !== 1 || !UUID.test(id)) throw new UsageError('name one tax rate id');
            await taxRates.remove(id, null, CLI_SOURCE);
            io.out(`Tax rate ${id} removed`);
            return 0;
          }
          throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'list, add or remove?');
        }),
    },
  ];
}
