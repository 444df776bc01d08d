import t from 'tap';
import { loadConfig } from '../src/config.js';

t.test('HOSTPLANE_PLUGIN_<PHASE>_TIMEOUT_MS set the kernel phase limits; unset ones keep its defaults', async (t) => {
  const config = loadConfig({ HOSTPLANE_PLUGIN_START_TIMEOUT_MS: '5000', HOSTPLANE_PLUGIN_HANDLER_TIMEOUT_MS: '250' }, '/tmp');
  t.same(config.pluginPhaseLimits, { start: 5000, handler: 250 });
  t.same(loadConfig({}, '/tmp').pluginPhaseLimits, {});
  t.throws(() => loadConfig({ HOSTPLANE_PLUGIN_STOP_TIMEOUT_MS: '0' }, '/tmp'), {
    code: 'HOST_ERR_CONFIG_INVALID',
    message: /HOSTPLANE_PLUGIN_STOP_TIMEOUT_MS/,
  });
});

t.test('HOSTPLANE_PLUGIN_ISOLATION names where plugins run; anything else is refused', async (t) => {
  t.same(loadConfig({ HOSTPLANE_PLUGIN_ISOLATION: 'hello=in-process, billing=process' }, '/tmp').pluginIsolation, {
    hello: 'in-process',
    billing: 'process',
  });
  t.same(loadConfig({}, '/tmp').pluginIsolation, {});
  t.throws(() => loadConfig({ HOSTPLANE_PLUGIN_ISOLATION: 'hello=sandbox' }, '/tmp'), { code: 'HOST_ERR_CONFIG_INVALID' });
  t.throws(() => loadConfig({ HOSTPLANE_PLUGIN_ISOLATION: 'Hello World=process' }, '/tmp'), { code: 'HOST_ERR_CONFIG_INVALID' });
});

t.test('HOSTPLANE_PG_DUMP names the pg_dump of platform backups: an absolute path', async (t) => {
  t.equal(
    loadConfig({ HOSTPLANE_PG_DUMP: '/usr/lib/postgresql/17/bin/pg_dump' }, '/tmp').pgDump,
    '/usr/lib/postgresql/17/bin/pg_dump',
  );
  t.equal(loadConfig({}, '/tmp').pgDump, undefined);
  t.throws(() => loadConfig({ HOSTPLANE_PG_DUMP: 'pg_dump' }, '/tmp'), {
    code: 'HOST_ERR_CONFIG_INVALID',
    message: /HOSTPLANE_PG_DUMP/,
  });
});
