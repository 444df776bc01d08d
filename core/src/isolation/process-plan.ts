/**
 * Everything decided before an isolated plugin's process starts: the user it runs as, the one
 * folder it may write, what it may read, and the runner's command line.
 */
import { existsSync, realpathSync } from 'node:fs';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@hostplane/sdk';
import type { KernelCapability } from '@hostplane/sdk';
import { IsolationErrors } from './errors.js';
import { isolationExecArgv } from './node-flags.js';
import type { ResolvedIsolationOptions } from './options.js';
import { findPackageDir, readAllowList } from './read-allow-list.js';
import { canSwitchUsers, ensurePluginUser, type SystemUser } from './system-user.js';
import { linkSdkForDropIns } from '../registry/sdk-link.js';

/** core/ (this file is core/src/isolation/ or core/dist/isolation/). */
const CORE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The runner is always the built JavaScript: the child runs no TypeScript loader. */
export const RUNNER_DIR = join(CORE_DIR, 'dist', 'isolation', 'child');
export const RUNNER = join(RUNNER_DIR, 'runner.js');

/** How to start one plugin's process. */
export interface ProcessPlan {
  runner: string;
  execArgv: string[];
  dataDir: string;
  user: SystemUser | undefined;
}

/** Let `user` traverse (not list) every folder above `dir`, as a web server's parents must be. */
async function makeTraversable(dir: string, logger: Logger): Promise<void> {
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) {
      await chmod(d, (s.mode & 0o7777) | 0o001);
      logger.info({ dir: d }, 'made folder traversable for isolated plugins');
    }
  }
}

/**
 * A drop-in plugin that brings no SDK of its own imports the host's through the link in its
 * folder (sdk-link.ts), made here too for a folder the host did not link at boot.
 */
function linkHostSdk(pluginDir: string, logger: Logger): void {
  if (findPackageDir('@hostplane/sdk', pluginDir)) return;
  linkSdkForDropIns(dirname(pluginDir), logger);
}

/**
 * The plugin's user must be able to reach and read its package: every folder above it
 * traversable by others, the package readable. Said plainly here rather than as a "module not
 * found" from inside the process.
 */
async function checkReadable(pluginId: string, pluginDir: string): Promise<void> {
  const real = realpathSync(pluginDir);
  const own = await stat(real);
  if ((own.mode & 0o005) !== 0o005) {
    throw IsolationErrors.spawnFailed(
      pluginId,
      `its package folder ${real} is not readable by other users (mode ${(own.mode & 0o777).toString(8)})`,
    );
  }
  for (let d = dirname(real); d !== dirname(d); d = dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) {
      throw IsolationErrors.spawnFailed(
        pluginId,
        `the folder ${d} above its package cannot be traversed by other users (mode ${(s.mode & 0o777).toString(8)})`,
      );
    }
  }
}

/** Prepare user, data folder and flags for plugin `pluginId` packaged in `pluginDir`. */
export async function planProcess(input: {
  pluginId: string;
  pluginDir: string;
  capabilities: ReadonlySet<KernelCapability>;
  options: ResolvedIsolationOptions;
  logger: Logger;
}): Promise<ProcessPlan> {
  const { pluginId, options, logger } = input;
  if (!existsSync(RUNNER)) {
    throw IsolationErrors.spawnFailed(pluginId, `the runner ${RUNNER} is missing: build @hostplane/core first`);
  }
  let user: SystemUser | undefined;
  if (options.runAs === 'plugin-user') {
    if (!canSwitchUsers()) {
      throw IsolationErrors.spawnFailed(
        pluginId,
        'running each plugin as its own user needs root (set isolation.runAs to "host-user" to run without)',
      );
    }
    user = await ensurePluginUser(pluginId);
    await checkReadable(pluginId, input.pluginDir);
  }
  const root = resolve(options.dataDir);
  const dataDir = join(root, pluginId);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) {
    await chmod(root, 0o711);
    await makeTraversable(root, logger);
    await chown(dataDir, user.uid, user.gid);
    await chmod(dataDir, 0o700);
  }
  linkHostSdk(input.pluginDir, logger);
  // knex and pg for every plugin: one without the `db` capability may still have migrations,
  // which its process runs (as in-process, on a connection of the plugin's own role).
  const needs = [...(input.capabilities.has('http:routes') ? ['fastify'] : []), 'knex', 'pg'];
  // `fs:<path>` capabilities the admin reviewed in the manifest open those trees too.
  const declaredTrees = [...input.capabilities].filter((c) => c.startsWith('fs:/')).map((c) => `${resolve(c.slice(3))}/`);
  const read = [
    ...readAllowList({ pluginDir: input.pluginDir, runnerDir: RUNNER_DIR, coreDir: CORE_DIR, needs }),
    `${dataDir}/`,
    ...declaredTrees,
  ];
  const execArgv = isolationExecArgv({
    read,
    write: [`${dataDir}/`, ...declaredTrees],
    // A plugin that declares running programs (`exec:<name>`) may start child processes.
    childProcesses: [...input.capabilities].some((c) => c.startsWith('exec:')),
    workers: false,
    memoryMb: options.memoryMb,
  });
  return { runner: RUNNER, execArgv, dataDir, user };
}
