/** Opening the database and the kernel from the host's config: shared by `start` and the CLI. */
import { readdirSync } from 'node:fs';
import { Kernel, createLogger, openDatabase, type InlinePlugin, type Logger } from '@hostplane/core';
import type { HostConfig } from './config.js';
import { registerSdkResolver } from './sdk-resolver.js';

/** Options of {@link openKernel}. */
export interface OpenKernelOptions {
  mode: 'run' | 'admin';
  logger?: Logger;
  inlinePlugins?: InlinePlugin[];
}

/** True when folder `dir` exists and holds anything. */
function holdsAnything(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** Open the database (embedded when no DATABASE_URL) and boot a kernel on it. */
export async function openKernel(config: HostConfig, options: OpenKernelOptions): Promise<Kernel> {
  // Drop-in plugins outside this install import the SDK through the host's copy. The resolve
  // hook runs on a loader thread of its own (time and memory at every start), and plugins are
  // discovered only at boot, so it is registered only when there is something to resolve for.
  if (holdsAnything(config.pluginsDir)) registerSdkResolver();
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
