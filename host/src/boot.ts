/** Opening the database and the kernel from the host's config: shared by `start` and the CLI. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Kernel,
  createLogger,
  linkSdkForDropIns,
  openDatabase,
  parsePublicKey,
  type InlinePlugin,
  type Logger,
} from '@hostplane/core';
import type { HostConfig } from './config.js';

/** Options of {@link openKernel}. */
export interface OpenKernelOptions {
  mode: 'run' | 'admin';
  logger?: Logger;
  inlinePlugins?: InlinePlugin[];
}

/** Open the database (embedded when no DATABASE_URL) and boot a kernel on it. */
export async function openKernel(config: HostConfig, options: OpenKernelOptions): Promise<Kernel> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  // Drop-in plugins outside this install import the SDK through the host's copy.
  linkSdkForDropIns(config.pluginsDir, logger);
  const database = await openDatabase({
    ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
    dataDir: config.dataDir,
    logger,
  });
  try {
    return await Kernel.boot({
      database,
      logger,
      mode: options.mode,
      listen: options.mode === 'run',
      runWorkers: options.mode === 'run',
      phaseLimits: config.pluginPhaseLimits,
      secrets: { dataDir: config.dataDir, ...config.secretKey },
      signing: { firstPartyKeys: await firstPartyKeys(config.firstPartyKeyFiles) },
      // Each isolated plugin may write only its own folder under here.
      // (`plugins/` beside it is the default drop-in folder.)
      isolation: { dataDir: join(config.dataDir, 'plugin-data'), plugins: config.pluginIsolation },
      discovery: {
        firstPartyDirs: config.firstPartyDirs,
        nodeModulesDirs: config.nodeModulesDirs,
        dropInDirs: [config.pluginsDir],
      },
      ...(options.inlinePlugins ? { inlinePlugins: options.inlinePlugins } : {}),
      ...(config.mail ? { mail: config.mail } : {}),
      ...(config.pgDump ? { pgDump: config.pgDump } : {}),
    });
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** The first-party public keys in `files` that exist (a checkout without a build has none). */
async function firstPartyKeys(files: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) keys.push(parsePublicKey(text, file).publicKey);
  }
  return keys;
}
