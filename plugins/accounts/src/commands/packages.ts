/** `hostplane packages list|show|create|archive`. */
import type { CommandDefinition } from '@hostplane/sdk';
import { CLI_SOURCE, PLATFORM_ACTOR, type AccountsDeps } from '../common.js';
import { AccountsErrors } from '../errors.js';
import { archivePackage, createPackage } from '../package-routes.js';
import {
  BOOLEAN_FEATURES,
  LIMIT_KEYS,
  packageView,
  type LimitKey,
  type NewPackage,
  type PackageFeatures,
  type PackageRow,
} from '../package-schemas.js';
import { findUser, integer, isUuid, oneOf, parse, show, UsageError, withUsage } from './support.js';

type Command = CommandDefinition<unknown, AccountsDeps>;

const VISIBILITIES = ['public', 'hidden', 'reseller_only'] as const;
const CREATE_USAGE =
  'hostplane packages create --name N --currency EUR [--monthly CENTS] [--quarterly CENTS] [--yearly CENTS] ' +
  '[--setup-fee CENTS] [--limits key=N|unlimited,...] [--features ssh,git_deploy,...] [--php 8.2,8.3] ' +
  '[--visibility public|hidden|reseller_only] [--description TEXT] [--owner RESELLER_EMAIL] [--json]';

/** A package by id, or by exact name (case-insensitive) when that names exactly one live package. */
export async function findPackage(deps: AccountsDeps, idOrName: string): Promise<PackageRow> {
  if (isUuid(idOrName)) {
    const row = (await deps.db.table('packages').where({ id: idOrName }).first()) as PackageRow | undefined;
    if (!row) throw AccountsErrors.packageNotFound(idOrName);
    return row;
  }
  const rows = (await deps.db
    .table('packages')
    .whereRaw('lower(name) = lower(?)', [idOrName])
    .whereNull('archived_at')
    .limit(10)) as PackageRow[];
  if (rows.length === 0) throw AccountsErrors.packageNotFound(idOrName);
  if (rows.length > 1)
    throw new UsageError(`"${idOrName}" names ${rows.length} packages; use an id: ${rows.map((r) => r.id).join(', ')}`);
  return rows[0]!;
}

function parseLimits(raw: string | undefined): Partial<Record<LimitKey, number | null>> | undefined {
  if (raw === undefined) return undefined;
  const out: Partial<Record<LimitKey, number | null>> = {};
  for (const pair of raw.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined || !(LIMIT_KEYS as readonly string[]).includes(key))
      throw new UsageError(`--limits: expected key=N|unlimited with key one of ${LIMIT_KEYS.join(', ')}, got "${pair}"`);
    out[key as LimitKey] = value === 'unlimited' ? null : integer(`limits ${key}`, value)!;
  }
  return out;
}

function parseFeatures(raw: string | undefined, php: string | undefined): Partial<PackageFeatures> | undefined {
  if (raw === undefined && php === undefined) return undefined;
  const out: Partial<PackageFeatures> = {};
  for (const name of (raw ?? '').split(',').filter(Boolean)) {
    if (!(BOOLEAN_FEATURES as readonly string[]).includes(name))
      throw new UsageError(`--features: "${name}" is not one of ${BOOLEAN_FEATURES.join(', ')}`);
    out[name as (typeof BOOLEAN_FEATURES)[number]] = true;
  }
  if (php !== undefined) {
    const versions = [...new Set(php.split(',').filter(Boolean))];
    const bad = versions.find((v) => !/^[0-9]+\.[0-9]+$/.test(v));
    if (bad !== undefined) throw new UsageError(`--php: "${bad}" is not a version like 8.3`);
    out.php_versions = versions;
  }
  return out;
}

const listRow = (row: PackageRow) => ({
  id: row.id,
  name: row.name,
  currency: row.currency,
  monthly: row.price_monthly,
  yearly: row.price_yearly,
  visibility: row.visibility,
  owner: row.owner_id ?? 'platform',
  archived: row.archived_at !== null,
});

export const packageCommands: Command[] = [
  {
    group: 'packages',
    name: 'list',
    description: 'Packages: the platform’s and every reseller’s',
    usage: '[--archived] [--owner platform|EMAIL] [--limit N] [--json]',
    run: (args, io, ctx) =>
      withUsage(io, 'hostplane packages list [--archived] [--owner platform|EMAIL] [--limit N] [--json]', async () => {
        const { values, positionals } = parse(args, {
          archived: { type: 'boolean' },
          owner: { type: 'string' },
          limit: { type: 'string' },
        });
        if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"`);
        const limit = integer('limit', values.limit, 1, 1000) ?? 100;
        const query = ctx.deps.db
          .table('packages')
          .orderBy([{ column: 'created_at' }, { column: 'id' }])
          .limit(limit);
        if (values.archived) query.whereNotNull('archived_at');
        else query.whereNull('archived_at');
        if (values.owner === 'platform') query.whereNull('owner_id');
        else if (values.owner) query.where({ owner_id: (await findUser(ctx.deps, values.owner)).id });
        const rows = (await query) as PackageRow[];
        if (values.json) show(io, true, rows.map(packageView));
        else
          show(io, false, rows.map(listRow), ['id', 'name', 'currency', 'monthly', 'yearly', 'visibility', 'owner', 'archived']);
        return 0;
      }),
  },
  {
    group: 'packages',
    name: 'show',
    description: 'One package with its prices, limits and features',
    usage: '<id|name> [--json]',
    run: (args, io, ctx) =>
      withUsage(io, 'hostplane packages show <id|name> [--json]', async () => {
        const { values, positionals } = parse(args, {});
        if (positionals.length !== 1) throw new UsageError('name exactly one package');
        const view = packageView(await findPackage(ctx.deps, positionals[0]!));
        const subscriptions = (await ctx.deps.db
          .table('subscriptions')
          .where({ package_id: view.id })
          .whereNot({ status: 'terminated' })
          .count({ n: '*' })
          .first()) as { n: string | number };
        show(io, values.json, { ...view, subscriptions: Number(subscriptions.n) });
        return 0;
      }),
  },
  {
    group: 'packages',
    name: 'create',
    description: 'Create a package (the platform’s, or with --owner a reseller’s within its own package)',
    usage: CREATE_USAGE.replace('hostplane packages create ', ''),
    run: (args, io, ctx) =>
      withUsage(io, CREATE_USAGE, async () => {
        const { values, positionals } = parse(args, {
          name: { type: 'string' },
          currency: { type: 'string' },
          monthly: { type: 'string' },
          quarterly: { type: 'string' },
          yearly: { type: 'string' },
          'setup-fee': { type: 'string' },
          limits: { type: 'string' },
          features: { type: 'string' },
          php: { type: 'string' },
          visibility: { type: 'string' },
          description: { type: 'string' },
          owner: { type: 'string' },
        });
        if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"`);
        const name = values.name?.trim();
        if (!name || name.length > 100) throw new UsageError('--name is required (1 to 100 characters)');
        if (!values.currency || !/^[A-Z]{3}$/.test(values.currency))
          throw new UsageError('--currency is required: an ISO 4217 code such as EUR');
        if (values.description !== undefined && values.description.length > 2000)
          throw new UsageError('--description: at most 2000 characters');
        const prices = {
          monthly: integer('monthly', values.monthly) ?? null,
          quarterly: integer('quarterly', values.quarterly) ?? null,
          yearly: integer('yearly', values.yearly) ?? null,
        };
        if (prices.monthly === null && prices.quarterly === null && prices.yearly === null)
          throw new UsageError('give at least one of --monthly, --quarterly, --yearly');
        const setupFee = integer('setup-fee', values['setup-fee']);
        const limits = parseLimits(values.limits);
        const features = parseFeatures(values.features, values.php);
        const visibility = oneOf('visibility', values.visibility, VISIBILITIES);
        const body: NewPackage = {
          name,
          currency: values.currency,
          prices,
          ...(values.description !== undefined ? { description: values.description } : {}),
          ...(setupFee !== undefined ? { setupFee } : {}),
          ...(limits ? { limits } : {}),
          ...(features ? { features } : {}),
          ...(visibility ? { visibility } : {}),
          ...(values.owner ? { ownerId: (await findUser(ctx.deps, values.owner)).id } : {}),
        };
        const row = await createPackage(ctx.deps, PLATFORM_ACTOR, body, CLI_SOURCE);
        if (values.json) show(io, true, packageView(row));
        else io.out(`created package ${row.name} (${row.id})`);
        return 0;
      }),
  },
  {
    group: 'packages',
    name: 'archive',
    description: 'Archive a package: kept for its subscriptions, offered to nobody new',
    usage: '<id|name> [--json]',
    run: (args, io, ctx) =>
      withUsage(io, 'hostplane packages archive <id|name> [--json]', async () => {
        const { values, positionals } = parse(args, {});
        if (positionals.length !== 1) throw new UsageError('name exactly one package');
        const pkg = await findPackage(ctx.deps, positionals[0]!);
        const row = await archivePackage(ctx.deps, PLATFORM_ACTOR, pkg.id, CLI_SOURCE);
        if (values.json) show(io, true, packageView(row));
        else io.out(`archived package ${row.name} (${row.id})`);
        return 0;
      }),
  },
];
