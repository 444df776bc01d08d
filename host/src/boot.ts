/** Opening the database and the kernel from the host's config: shared by `start` and the CLI. */
import { join } from 'node:path';
import { Kernel, createLogger, openDatabase, type InlinePlugin, type Logger } from '@hostplane/core';
import type { HostConfig } from './config.js';
import { registerSdkResolver } from './sdk-resolver.js';

/** Options of {@link openKernel}. */
export interface OpenKernelOptions {
  mode: 'run' | 'admin';
  logger?: Logger;
  inlinePlugins?: InlinePlugin[];
}

/** Open the database (embedded when no DATABASE_URL) and boot a kernel on it. */
export async function openKernel(config: HostConfig, options: OpenKernelOptions): Promise<Kernel> {
  // Drop-in plugins outside this install import the SDK through the host's copy.
  registerSdkResolver();
  const logger = options.logger ?? createLogger({ level: config.logLevel });
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
      // Each isolated plugin may write only its own folder under here.
      // (`plugins/` beside it is the default drop-in folder.)
      isolation: { dataDir: join(config.dataDir, 'plugin-data'), plugins: config.pluginIsolation },
      discovery: {
        firstPartyDirs: config.firstPartyDirs,
        nodeModulesDirs: config.nodeModulesDirs,
        dropInDirs: [config.pluginsDir],
      },
      ...(options.inlinePlugins ? { inlinePlugins: options.inlinePlugins } : {}),
    });
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}
