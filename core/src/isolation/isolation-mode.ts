/**
 * Which plugins run in their own process. One function decides, so that signing (which will
 * decide what "first-party" means) changes one place: today a plugin is first-party when it was
 * found in the repository's `plugins/` folder (or handed over inline by a test); drop-ins and
 * npm packages are third-party.
 */
import type { PluginRecord } from '../registry/plugin-record.js';
import type { IsolationMode } from './options.js';

/** True for plugins trusted to run inside the host process by default. */
export function isFirstParty(record: PluginRecord): boolean {
  const source = record.discovered.source;
  return source === 'first-party' || source === 'inline';
}

/**
 * The mode `record` runs in: the admin's choice, else `process` for third-party plugins. A
 * manifest may ask for `process` (a first-party plugin that wants the seatbelt) but never for
 * `in-process`: a plugin cannot lift its own isolation.
 */
export function isolationModeOf(record: PluginRecord, adminChoice: Record<string, IsolationMode>): IsolationMode {
  const id = record.discovered.manifest.id;
  // Inline plugins are objects in the host's memory: there is no package to run elsewhere.
  if (record.inline) return 'in-process';
  const chosen = adminChoice[id];
  if (chosen) return chosen;
  if (!isFirstParty(record)) return 'process';
  return record.discovered.manifest.isolation === 'process' ? 'process' : 'in-process';
}
