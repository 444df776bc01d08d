/**
 * A plugin's migration folder read as a list of migrations. A migration is an ES module
 * exporting `up(knex)` and `down(knex)`; its name is the file name without extension, so the
 * same migration keeps its name whether it ships as `.ts` (development) or `.js` (built).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DbErrors } from './errors.js';
import type { MigrationModule, NamedMigration } from './migration-runner.js';

// When one name exists with several extensions, built JavaScript wins: it loads everywhere,
// `.ts` only under a TypeScript loader.
const EXTENSIONS = ['.js', '.mjs', '.ts'] as const;

/** Absolute path of a migrations folder given as a path or a `file:` URL. */
export function migrationsDirectory(directory: string | URL, owner: string): string {
  if (directory instanceof URL || /^file:/i.test(directory)) {
    try {
      return fileURLToPath(directory);
    } catch (err) {
      throw DbErrors.migrationsInvalid(owner, `bad migrations folder URL: ${(err as Error).message}`);
    }
  }
  return path.resolve(directory);
}

/** The migrations in `dir`, sorted by name. A missing folder means no migrations. */
export async function listMigrationFiles(dir: string, owner: string): Promise<NamedMigration[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw DbErrors.migrationsInvalid(owner, `cannot read migrations folder ${dir}: ${(err as Error).message}`);
  }
  const byName = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.') || /\.d\.[mc]?ts$/.test(entry.name)) continue;
    const ext = EXTENSIONS.find((e) => entry.name.endsWith(e));
    if (!ext) continue;
    const name = entry.name.slice(0, -ext.length);
    const current = byName.get(name);
    if (current === undefined || rank(entry.name) < rank(current)) byName.set(name, entry.name);
  }
  return [...byName.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => {
      const file = byName.get(name)!;
      let loaded: Promise<MigrationModule> | undefined;
      return { name, load: () => (loaded ??= loadMigration(path.join(dir, file), file, owner)) };
    });
}

function rank(file: string): number {
  return EXTENSIONS.findIndex((e) => file.endsWith(e));
}

async function loadMigration(file: string, fileName: string, owner: string): Promise<MigrationModule> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw Object.assign(DbErrors.migrationLoadFailed(owner, fileName, (err as Error).message ?? String(err)), { cause: err });
  }
  // Named exports; or a default export object, which is what CommonJS-compiled files give.
  const candidate = typeof loaded.up === 'function' ? loaded : (loaded.default as Record<string, unknown> | undefined);
  if (typeof candidate?.up !== 'function' || typeof candidate.down !== 'function') {
    throw DbErrors.migrationLoadFailed(owner, fileName, 'it must export both up(knex) and down(knex) functions');
  }
  return candidate as unknown as MigrationModule;
}
