/** Shapes of a package: limits, features, prices, and how a row reads back. */
import { Type, type Static } from '@hostplane/sdk';
import { DateTime, Uuid } from './common.js';

/** Resources a package limits, in the limits service's names. */
export const LIMIT_KEYS = [
  'disk_mb',
  'bandwidth_gb',
  'websites',
  'domains',
  'databases',
  'email_accounts',
  'cron_jobs',
  'backups',
  'backup_storage_mb',
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];
export type PackageLimits = Record<LimitKey, number | null>;

export const BOOLEAN_FEATURES = ['ssh', 'git_deploy', 'staging', 'waf', 'malware_scan', 'backups'] as const;
/** Per-site PHP resources a package sets (`null`: the websites plugin's default). */
export const RESOURCE_FEATURES = ['php_memory_mb', 'php_max_children', 'upload_max_mb'] as const;
export type ResourceFeature = (typeof RESOURCE_FEATURES)[number];
/**
 * What the backups plugin keeps per site (`null`: its config's policy). Counts a reseller's
 * package may not exceed its own package's, like the PHP resources above.
 */
export const BACKUP_KEEP_FEATURES = ['backup_keep_daily', 'backup_keep_weekly', 'backup_keep_monthly'] as const;
/** When the backups plugin backs a package's sites up (`null`: its config's). */
export type BackupFrequency = 'daily' | 'weekly';

export interface PackageFeatures {
  ssh: boolean;
  git_deploy: boolean;
  staging: boolean;
  php_versions: string[];
  php_memory_mb: number | null;
  php_max_children: number | null;
  upload_max_mb: number | null;
  waf: boolean;
  malware_scan: boolean;
  backups: boolean;
  backup_frequency: BackupFrequency | null;
  backup_weekday: number | null;
  backup_window_from: number | null;
  backup_window_to: number | null;
  backup_keep_daily: number | null;
  backup_keep_weekly: number | null;
  backup_keep_monthly: number | null;
}

// Null first: Fastify's AJV coerces types, and would read null as 0 for an integer branch tried first.
const Limit = Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 2_000_000_000 })]);
const Money = Type.Integer({ minimum: 0, maximum: 2_000_000_000 });
const Price = Type.Union([Type.Null(), Money]);

export const LimitsInput = Type.Partial(
  Type.Object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, Limit])) as Record<LimitKey, typeof Limit>, {
    additionalProperties: false,
  }),
  { additionalProperties: false },
);
export const LimitsOutput = Type.Object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, Limit])) as Record<LimitKey, typeof Limit>);

const PhpVersions = Type.Array(Type.String({ pattern: '^[0-9]+\\.[0-9]+$' }), { maxItems: 20, uniqueItems: true });
const FeatureFields = {
  ssh: Type.Boolean(),
  git_deploy: Type.Boolean(),
  staging: Type.Boolean(),
  php_versions: PhpVersions,
  // Null first, as for limits: AJV coerces, and would read null as 0 for an integer tried first.
  php_memory_mb: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 16, maximum: 8192, description: 'PHP memory_limit per site, MB' }),
  ]),
  php_max_children: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 1, maximum: 200, description: 'PHP-FPM pm.max_children per site' }),
  ]),
  upload_max_mb: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 1, maximum: 4096, description: 'Largest upload per request, MB' }),
  ]),
  waf: Type.Boolean(),
  malware_scan: Type.Boolean(),
  backups: Type.Boolean(),
  // The backups plugin's schedule and retention for this package's sites (decision 0059); null: its config's.
  backup_frequency: Type.Union([Type.Null(), Type.Literal('daily'), Type.Literal('weekly')], {
    description: 'How often each site is backed up; null: the backups plugin’s default',
  }),
  backup_weekday: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 0, maximum: 6, description: 'Weekly backups: the day their window opens, 0 = Sunday' }),
  ]),
  backup_window_from: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 0, maximum: 23, description: 'Hour (server time) from which backups start' }),
  ]),
  backup_window_to: Type.Union([
    Type.Null(),
    Type.Integer({
      minimum: 0,
      maximum: 23,
      description: 'Hour (server time) before which they have started; before `from`: the window spans midnight',
    }),
  ]),
  backup_keep_daily: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 0, maximum: 3650, description: 'Newest backup of each of the last N days' }),
  ]),
  backup_keep_weekly: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 0, maximum: 520, description: 'Newest backup of each of the last N weeks' }),
  ]),
  backup_keep_monthly: Type.Union([
    Type.Null(),
    Type.Integer({ minimum: 0, maximum: 240, description: 'Newest backup of each of the last N months' }),
  ]),
};
export const FeaturesInput = Type.Partial(Type.Object(FeatureFields, { additionalProperties: false }), {
  additionalProperties: false,
});
export const FeaturesOutput = Type.Object(FeatureFields);

export const PricesInput = Type.Partial(
  Type.Object({ monthly: Price, quarterly: Price, yearly: Price }, { additionalProperties: false }),
  { additionalProperties: false },
);
export const PricesOutput = Type.Object({ monthly: Price, quarterly: Price, yearly: Price });

export const Visibility = Type.Union([Type.Literal('public'), Type.Literal('hidden'), Type.Literal('reseller_only')]);
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });

export const NewPackageBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    currency: Currency,
    prices: PricesInput,
    setupFee: Type.Optional(Money),
    limits: Type.Optional(LimitsInput),
    features: Type.Optional(FeaturesInput),
    visibility: Type.Optional(Visibility),
    /** Admins only: a reseller's id, or null for the platform (default). */
    ownerId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false },
);
export type NewPackage = Static<typeof NewPackageBody>;

export const PackagePatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    currency: Type.Optional(Currency),
    prices: Type.Optional(PricesInput),
    setupFee: Type.Optional(Money),
    limits: Type.Optional(LimitsInput),
    features: Type.Optional(FeaturesInput),
    visibility: Type.Optional(Visibility),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PackagePatch = Static<typeof PackagePatchBody>;

export const PackageSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  currency: Type.String(),
  prices: PricesOutput,
  setupFee: Type.Integer(),
  limits: LimitsOutput,
  features: FeaturesOutput,
  visibility: Visibility,
  ownerId: Type.Union([Uuid, Type.Null()]),
  archived: Type.Boolean(),
  archivedAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type PackageView = Static<typeof PackageSchema>;

/** A packages row. */
export interface PackageRow {
  id: string;
  name: string;
  description: string;
  currency: string;
  price_monthly: number | null;
  price_quarterly: number | null;
  price_yearly: number | null;
  setup_fee: number;
  limits: Partial<PackageLimits>;
  features: Partial<PackageFeatures>;
  visibility: 'public' | 'hidden' | 'reseller_only';
  owner_id: string | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Limits with every key: a key missing from the input is 0 (nothing), never unlimited. */
export function fullLimits(input: Partial<PackageLimits> | undefined, base?: Partial<PackageLimits>): PackageLimits {
  const out = {} as PackageLimits;
  for (const key of LIMIT_KEYS) {
    const value = input && key in input ? input[key] : base && key in base ? base[key] : 0;
    out[key] = value ?? null;
  }
  return out;
}

/** Features with every key: missing ones are off. */
export function fullFeatures(input: Partial<PackageFeatures> | undefined, base?: Partial<PackageFeatures>): PackageFeatures {
  const merged = { ...base, ...input };
  return {
    ssh: merged.ssh ?? false,
    git_deploy: merged.git_deploy ?? false,
    staging: merged.staging ?? false,
    php_versions: merged.php_versions ?? [],
    php_memory_mb: merged.php_memory_mb ?? null,
    php_max_children: merged.php_max_children ?? null,
    upload_max_mb: merged.upload_max_mb ?? null,
    waf: merged.waf ?? false,
    malware_scan: merged.malware_scan ?? false,
    backups: merged.backups ?? false,
    backup_frequency: merged.backup_frequency ?? null,
    backup_weekday: merged.backup_weekday ?? null,
    backup_window_from: merged.backup_window_from ?? null,
    backup_window_to: merged.backup_window_to ?? null,
    backup_keep_daily: merged.backup_keep_daily ?? null,
    backup_keep_weekly: merged.backup_keep_weekly ?? null,
    backup_keep_monthly: merged.backup_keep_monthly ?? null,
  };
}

export function packageView(row: PackageRow): PackageView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    currency: row.currency,
    prices: { monthly: row.price_monthly, quarterly: row.price_quarterly, yearly: row.price_yearly },
    setupFee: row.setup_fee,
    limits: fullLimits(row.limits),
    features: fullFeatures(row.features),
    visibility: row.visibility,
    ownerId: row.owner_id,
    archived: row.archived_at !== null,
    archivedAt: row.archived_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
