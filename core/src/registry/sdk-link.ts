/**
 * Let drop-in plugins outside this install import the host's `@hostplane/sdk`.
 *
 * A drop-in package lives in the plugins folder, outside this install's `node_modules` tree, so
 * its `import '@hostplane/sdk'` would not resolve. Node finds a bare specifier in the nearest
 * `node_modules` going up from the importing file, so the host links its own SDK as
 * `<plugins folder>/node_modules/@hostplane/sdk`: every drop-in, in this process or in its own
 * isolated one, shares one SDK (one set of brands and error classes). Unlike a module resolve
 * hook this needs no loader thread (time and memory at every start), and it works for isolated
 * plugins, whose permission model refuses the worker thread such a hook runs on.
 */
import { lstatSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from '@hostplane/sdk';

/** The folder of the SDK this install runs with. */
export function hostSdkDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@hostplane/sdk/package.json'));
}

/**
 * Link the host's SDK into `pluginsDir` when it holds any plugin. Leaves alone an SDK an admin
 * installed there as a real folder; a write refused (a read-only folder) is logged, not fatal.
 */
export function linkSdkForDropIns(pluginsDir: string, logger?: Logger): void {
  let entries: string[];
  try {
    entries = readdirSync(pluginsDir).filter((name) => name !== 'node_modules');
  } catch {
    return; // no plugins folder: nothing to resolve for
  }
  if (entries.length === 0) return;
  const sdkDir = hostSdkDir();
  const link = join(pluginsDir, 'node_modules', '@hostplane', 'sdk');
  try {
    const existing = lstatSync(link, { throwIfNoEntry: false });
    if (existing && !existing.isSymbolicLink()) return;
    if (existing && safeRealpath(link) === realpathSync(sdkDir)) return;
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(sdkDir, link, 'dir');
  } catch (err) {
    logger?.warn({ err, link }, 'could not link the SDK for drop-in plugins; they may fail to import @hostplane/sdk');
  }
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined; // a dangling link (the install moved)
  }
}
