/** The driver's view of a website: a {@link SiteSpec} built from the stored desired state. */
import type { SiteSpec, WordPressSpec } from '@hostplane/sdk';
import type { WebsitesConfig } from './config.js';
import type { WebsiteRow } from './store.js';

/** Database name of a WordPress site: prefix + slug with underscores (MySQL-safe, ≤ 64). */
export function wordpressDatabaseName(config: WebsitesConfig, name: string): string {
  return `${config.wordpress.databasePrefix}${name.replace(/-/g, '_')}`.slice(0, 64);
}

/** PHP resources a package sets; null fields fall back to the plugin's config. */
export interface PackageResources {
  phpMemoryMb: number | null;
  phpMaxChildren: number | null;
  uploadMaxMb: number | null;
}

/**
 * Build the spec a driver applies. `aliases` are the non-primary domains. `database`: the
 * WordPress site's own database (see reconciler.ts); without it, the config's shared account.
 */
export function siteSpecOf(
  row: WebsiteRow,
  aliases: string[],
  config: WebsitesConfig,
  fromPackage: PackageResources | null = null,
  database: WordPressSpec['database'] | null = null,
): SiteSpec {
  const wp = config.wordpress;
  const resources = {
    phpMemoryMb: fromPackage?.phpMemoryMb ?? config.resources.phpMemoryMb,
    phpMaxChildren: fromPackage?.phpMaxChildren ?? config.resources.phpMaxChildren,
    uploadMaxMb: fromPackage?.uploadMaxMb ?? config.resources.uploadMaxMb,
  };
  const isPhp = row.kind === 'php' || row.kind === 'wordpress';
  return {
    id: row.id,
    name: row.name,
    domains: [row.domain, ...aliases],
    kind: row.kind,
    phpVersion: row.kind === 'php' || row.kind === 'wordpress' ? row.php_version : null,
    state: row.desired === 'suspended' ? 'suspended' : 'active',
    resources,
    // Within today's bounds: a package changed to smaller ones since they were set caps them.
    php: isPhp && row.settings.php ? phpWithin(row.settings.php, resources, config) : null,
    extraDirectives: row.settings.extraDirectives ?? null,
    wordpress:
      row.kind === 'wordpress'
        ? {
            archiveUrl: wp.archiveUrl,
            database: database ?? {
              host: wp.databaseHost,
              name: wordpressDatabaseName(config, row.name),
              user: wp.databaseUser,
              password: wp.databasePassword,
              tablePrefix: 'wp_',
            },
          }
        : null,
    nodejs: row.kind === 'nodejs' && row.settings.nodejs ? { ...row.settings.nodejs } : null,
  };
}

/** A site's PHP settings cut to the bounds of its package (and the config's time bound). */
export function phpWithin(
  php: NonNullable<WebsiteRow['settings']['php']>,
  resources: { phpMemoryMb: number; uploadMaxMb: number },
  config: WebsitesConfig,
): NonNullable<SiteSpec['php']> {
  return {
    memoryLimitMb: Math.min(php.memoryLimitMb, resources.phpMemoryMb),
    uploadMaxMb: Math.min(php.uploadMaxMb, resources.uploadMaxMb),
    maxExecutionSeconds: Math.min(php.maxExecutionSeconds, config.resources.phpMaxExecutionSeconds),
    displayErrors: php.displayErrors,
  };
}
