/** Adminer's generated files: the launcher is valid PHP, the pool and server block take only safe values. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { renderAdminerPool, renderAdminerServer, renderLauncher } from '../src/render/adminer.js';

const php = ['/usr/bin/php', '/usr/bin/php8.2'].find((p) => {
  try {
    execFileSync(p, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

t.test('the launcher is valid PHP naming the token folder and Adminer', { skip: php ? false : 'no php cli' }, async (t) => {
  const launcher = renderLauncher({ tokensDir: '/srv/hp/adminer/tokens', adminerScript: '/usr/share/adminer/adminer.php' });
  t.match(launcher, "const HP_TOKENS = '/srv/hp/adminer/tokens';");
  t.match(launcher, 'function adminer_object()');
  const dir = await mkdtemp(path.join(tmpdir(), 'hp-adminer-render-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'index.php'), launcher);
  t.match(execFileSync(php as string, ['-l', path.join(dir, 'index.php')], { encoding: 'utf8' }), /No syntax errors/);
});

t.test('paths and addresses that could inject config are refused', async (t) => {
  t.throws(() => renderLauncher({ tokensDir: "/x';system('id');//", adminerScript: '/a.php' }));
  const server = {
    listen: '127.0.0.1:8081',
    dir: '/r/adminer/www',
    socket: '/r/run/a.sock',
    confDir: '/r/nginx',
    logsDir: '/r/logs',
  };
  t.match(renderAdminerServer(server), 'listen 127.0.0.1:8081;');
  t.throws(() => renderAdminerServer({ ...server, listen: '127.0.0.1:1; include /etc' }));
  t.throws(() => renderAdminerServer({ ...server, dir: '/r/adminer www' }));
  const pool = renderAdminerPool({
    socket: '/r/run/_adminer-8.2.sock',
    user: 'hostplane-adminer',
    listenOwner: 'www-data',
    dir: '/r/adminer/www',
    tokensDir: '/r/adminer/tokens',
    sessionsDir: '/r/adminer/sessions',
    adminerScript: '/usr/share/adminer/adminer.php',
    logsDir: '/r/logs',
    sessionMinutes: 60,
  });
  t.match(pool, '[_adminer]');
  t.match(pool, 'user = hostplane-adminer');
  t.match(pool, 'php_admin_value[open_basedir] = /r/adminer/www/:/usr/share/adminer/:/r/adminer/tokens/:/r/adminer/sessions/');
  t.match(pool, 'php_admin_value[session.gc_maxlifetime] = 3600');
});
