/** The databases plugin's default token folder is the one webserver-nginx's launcher reads. */
import t from 'tap';
import { defaultRoot } from '@hostplane/plugin-webserver-nginx';
import { adminerPaths, layoutOf } from '../../webserver-nginx/src/layout.js';
import { tokenDirOf } from '../src/adminer.js';

t.test('empty adminerTokenDir: the web server default root’s token folder', async (t) => {
  const env = { HOSTPLANE_DATA_DIR: '/var/lib/hp' };
  t.equal(tokenDirOf({ adminerTokenDir: '' }, env), adminerPaths(layoutOf(defaultRoot(env))).tokens);
  t.equal(tokenDirOf({ adminerTokenDir: '/srv/web/adminer/tokens' }, env), '/srv/web/adminer/tokens', 'as configured');
});
