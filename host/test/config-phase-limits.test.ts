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
