/**
 * One unprivileged system user per isolated plugin: `hp-<id>` (shortened with a hash when the
 * id is long), no home, no login shell, in its own id band so it never collides with the
 * distribution's system users or the web server's site users. Only root can create users and
 * switch to them; elsewhere the plugin runs as the host's own user (the permission model still
 * applies) and the reason is logged.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { withAccountsLock } from '@hostplane/sdk/programs';

const run = promisify(execFile);

/** First and last uid/gid of the band for plugin users. */
export const PLUGIN_ID_BAND = { first: 620_000, last: 629_999 } as const;

/** A user to run as. */
export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/** The system user name of plugin `pluginId` (at most 32 characters, as useradd wants). */
export function pluginUserName(pluginId: string): string {
  const name = `hp-${pluginId}`;
  if (name.length <= 32) return name;
  return `hp-${pluginId.slice(0, 20)}-${createHash('sha256').update(pluginId).digest('hex').slice(0, 8)}`;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

async function passwd(): Promise<PasswdEntry[]> {
  const text = await readFile('/etc/passwd', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':'))
    .map((f) => ({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]) }));
}

let creating: Promise<unknown> = Promise.resolve();

/** The plugin's user, created on first use. Needs root. */
export function ensurePluginUser(pluginId: string): Promise<SystemUser> {
  // One creation at a time in this process: two plugins must not pick the same free id.
  const next = creating.then(async () => {
    const name = pluginUserName(pluginId);
    // The user exists at every boot but the first: no id to pick, no lock to take.
    const found = (await passwd()).find((u) => u.name === name);
    if (found) return { name, uid: found.uid, gid: found.gid };
    // Host-wide too: another Hostplane process (the CLI) may be picking an id meanwhile.
    return withAccountsLock(() => createPluginUser(pluginId, name));
  });
  creating = next.catch(() => undefined);
  return next;
}

/** Make the user in the first free id of the band (or find it, made meanwhile); under the accounts lock. */
async function createPluginUser(pluginId: string, name: string): Promise<SystemUser> {
  const users = await passwd();
  const found = users.find((u) => u.name === name);
  if (found) return { name, uid: found.uid, gid: found.gid };
  const taken = new Set(users.map((u) => u.uid));
  const groups = await readFile('/etc/group', 'utf8');
  for (const line of groups.split('\n')) taken.add(Number(line.split(':')[2]));
  let id: number = PLUGIN_ID_BAND.first;
  while (taken.has(id) && id <= PLUGIN_ID_BAND.last) id++;
  if (id > PLUGIN_ID_BAND.last) throw new Error('no free id left in the plugin user band');
  await run('groupadd', ['--gid', String(id), name]);
  await run('useradd', [
    '--uid',
    String(id),
    '--gid',
    String(id),
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    '--comment',
    `Hostplane plugin ${pluginId}`,
    name,
  ]);
  return { name, uid: id, gid: id };
}

/** True when this process may create users and switch to them. */
export function canSwitchUsers(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
