/** Boot real kernels on a fresh database for tests, and write plugin packages to disk. */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Kernel, type InlinePlugin, type KernelOptions } from '../../src/kernel.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/test-database.js';

/** The part of a tap test the helpers need. */
export interface Teardownable {
  teardown(fn: () => unknown): void;
}

/** A database shared by the kernels of one test. */
export async function sharedDatabase(t: Teardownable): Promise<TestDatabase> {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  return db;
}

/** Boot a kernel on `db` (a new one when absent); stopped at teardown. */
export async function bootKernel(
  t: Teardownable,
  options: Omit<KernelOptions, 'database'> & { db?: TestDatabase; inlinePlugins?: InlinePlugin[] } = {},
): Promise<Kernel> {
  const db = options.db ?? (await sharedDatabase(t));
  const database = await openDatabase({ url: db.url, dataDir: '/tmp', poolMax: 4 });
  let kernel: Kernel;
  try {
    kernel = await Kernel.boot({
      logger: pino({ level: 'silent' }),
      taskThreads: 1,
      ...options,
      database,
    });
  } catch (error) {
    // An open pool keeps the test process alive until its idle connections time out (30 s).
    await database.close();
    throw error;
  }
  t.teardown(() => kernel.stop());
  return kernel;
}

const TMP_ROOT = fileURLToPath(new URL('../.tmp/', import.meta.url));

/** A fresh folder inside the repo (so written plugins resolve `@hostplane/sdk`). */
export async function tempPluginsDir(): Promise<string> {
  await mkdir(TMP_ROOT, { recursive: true });
  const dir = await mkdtemp(join(TMP_ROOT, 'plugins-'));
  // Drop-ins run isolated as their own users, who must be able to read their packages.
  await chmod(dir, 0o755);
  return dir;
}

/** Write a plugin package: package.json with `hostplane` manifest and an ESM entry. */
export async function writePlugin(
  dir: string,
  folder: string,
  pkg: { name?: string; version?: string; hostplane?: unknown },
  source: string,
): Promise<string> {
  const root = join(dir, folder);
  await mkdir(root, { recursive: true });
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify(
      { name: pkg.name ?? folder, version: pkg.version ?? '1.0.0', type: 'module', main: 'index.js', ...pkg },
      null,
      2,
    ),
  );
  await writeFile(join(root, 'index.js'), source);
  return root;
}

/** Source of a plugin that defines `id` with the given body parts. */
export function pluginSource(
  id: string,
  extra = '',
  options: { sdk?: string; requires?: Record<string, string>; permissions?: string[] } = {},
): string {
  return `import { definePlugin } from '@hostplane/sdk';
export default definePlugin({
  id: ${JSON.stringify(id)},
  sdk: ${JSON.stringify(options.sdk ?? '^0.1.0')},
  ${options.requires ? `requires: ${JSON.stringify(options.requires)},` : ''}
  ${options.permissions ? `permissions: ${JSON.stringify(options.permissions)},` : ''}
  ${extra}
});
`;
}
