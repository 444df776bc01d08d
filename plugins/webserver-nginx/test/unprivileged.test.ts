/**
 * Unprivileged dev mode: the driver as an ordinary user (here `nobody`, through setpriv) runs
 * NGINX and PHP-FPM as that user, with no `user` directives and no site users.
 */
import { execFile } from 'node:child_process';
import { accessSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { isRoot, systemMissing } from './helpers.js';

const missing = systemMissing();
const setpriv = (() => {
  try {
    accessSync('/usr/bin/setpriv');
    return true;
  } catch {
    return false;
  }
})();
const skip = missing ?? (!isRoot ? 'needs root to switch to an unprivileged user' : !setpriv ? 'needs /usr/bin/setpriv' : false);

t.test('as an ordinary user: sites served, PHP runs as that user, suspend and remove work', { skip }, async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/unprivileged.mts', import.meta.url));
  const { stdout } = await promisify(execFile)(
    '/usr/bin/setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '--conditions=@hostplane/source',
      '--import',
      'tsx',
      fixture,
    ],
    { env: { ...process.env, HOME: '/tmp' }, timeout: 60_000 },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  t.match(result, { uid: 65534, status: { state: 'ready' }, static: 200, phpUid: '65534', suspended: 503, removed: 404 });
  t.same(result.left, [], 'no daemon outlives the stop');
  t.notOk(result.error, String(result.error ?? ''));
});
