/**
 * The static manifest under `"hostplane"` in a plugin's package.json, checked without running
 * any of the plugin's code (listing, permission review and refusal happen before import).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import semver from 'semver';
import type { PluginManifest } from '@hostplane/sdk';
import { KernelErrors } from '../errors.js';

// 56 at most: the schema name plugin_<id> must fit PostgreSQL's 63-byte identifiers.
export const PLUGIN_ID = '^[a-z][a-z0-9-]{0,55}$';
const CAPABILITY =
  '^(db|http:routes|events:subscribe|events:emit|jobs|schedules|tasks|mailer|audit|audit:read|settings|secrets|users|limits|platform:dump|exec:[a-z0-9._-]+|fs:/.*)$';
// A table or view of a plugin's schema named in `database.shares`/`reads`: a plain identifier
// (it is spliced into GRANT statements, quoted, and must not reach beyond the schema).
const RELATION = '^[a-z_][a-z0-9_]{0,62}$';

/** JSON schema of the manifest; unknown keys are refused so typos do not pass silently. */
export const ManifestSchema = Type.Object(
  {
    id: Type.String({ pattern: PLUGIN_ID }),
    sdk: Type.String({ minLength: 1 }),
    displayName: Type.Optional(Type.String({ maxLength: 80 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    entry: Type.Optional(Type.String({ minLength: 1 })),
    requires: Type.Optional(Type.Record(Type.String({ pattern: PLUGIN_ID }), Type.String())),
    provides: Type.Optional(Type.Array(Type.String({ pattern: PLUGIN_ID }))),
    permissions: Type.Optional(Type.Array(Type.String({ pattern: CAPABILITY }))),
    database: Type.Optional(
      Type.Object(
        {
          shares: Type.Optional(Type.Array(Type.String({ pattern: RELATION }), { maxItems: 100 })),
          reads: Type.Optional(
            Type.Record(Type.String({ pattern: PLUGIN_ID }), Type.Array(Type.String({ pattern: RELATION }), { maxItems: 100 })),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    isolation: Type.Optional(Type.Union([Type.Literal('process'), Type.Literal('in-process')])),
  },
  { additionalProperties: false },
);

/** The subset of package.json the kernel reads. */
export interface PluginPackageJson {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  hostplane?: unknown;
}

/** A manifest that passed validation, with the package facts around it. */
export interface ValidManifest extends PluginManifest {
  version: string;
  packageName: string;
}

/**
 * Validate `pkg.hostplane` (and the package version). `where` names the package folder in
 * errors. Throws KERNEL_ERR_MANIFEST_INVALID listing every problem at once.
 */
export function validateManifest(pkg: PluginPackageJson, where: string): ValidManifest {
  const problems: string[] = [];
  if (pkg.hostplane === undefined) problems.push('package.json has no "hostplane" field');
  else {
    for (const error of Value.Errors(ManifestSchema, pkg.hostplane)) {
      problems.push(`hostplane${error.path.replaceAll('/', '.')}: ${error.message}`);
      if (problems.length >= 10) break;
    }
  }
  if (typeof pkg.version !== 'string' || !semver.valid(pkg.version)) {
    problems.push(`version "${String(pkg.version)}" is not a semver version`);
  }
  const manifest = pkg.hostplane as Static<typeof ManifestSchema> | undefined;
  if (problems.length === 0 && manifest) {
    if (!semver.validRange(manifest.sdk)) problems.push(`hostplane.sdk "${manifest.sdk}" is not a semver range`);
    for (const [dep, range] of Object.entries(manifest.requires ?? {})) {
      if (!semver.validRange(range)) problems.push(`hostplane.requires.${dep} "${range}" is not a semver range`);
      if (dep === manifest.id) problems.push('a plugin cannot require itself');
    }
    // Reading another plugin's data needs the dependency that guarantees it is there.
    for (const provider of Object.keys(manifest.database?.reads ?? {})) {
      if (!Object.hasOwn(manifest.requires ?? {}, provider))
        problems.push(`hostplane.database.reads.${provider}: reads from a plugin it does not require`);
    }
  }
  if (problems.length > 0 || !manifest) throw KernelErrors.manifestInvalid(where, problems);
  return { ...(manifest as PluginManifest), version: pkg.version as string, packageName: pkg.name ?? manifest.id };
}
