/**
 * The API side of plugin signing: each plugin's signature in the listing (schema-checked), and
 * enabling an unsigned drop-in refused with a 403 in the one error shape until an admin allows it.
 */
import { allowUnsigned, linkSdkForDropIns } from '@hostplane/core';
import t from 'tap';
import { bearer, startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { tokenAuthPlugin, USER } from './helpers/plugins.js';
import { dropInHello } from './support/cli.js';

const pluginsDir = await dropInHello(t);
linkSdkForDropIns(pluginsDir);
const { kernel } = await bootKernel(t, {
  plugins: [tokenAuthPlugin({ admin: { userId: USER.admin, role: 'super_admin' } })],
  discovery: { dropInDirs: [pluginsDir] },
  signing: {},
});
const { host } = await startGateway(t, kernel);

t.test('an unsigned drop-in is listed as unsigned and refused with 403 until allowed', async (t) => {
  const listed = await host.inject({ method: 'GET', url: '/v1/plugins/hello', headers: bearer('admin') });
  t.equal(listed.statusCode, 200);
  t.same(listed.json().signature, {
    state: 'unsigned',
    signer: null,
    allowed: false,
    problem: 'hello has no hostplane.sig.json',
  });
  const inline = await host.inject({ method: 'GET', url: '/v1/plugins', headers: bearer('admin') });
  t.match((inline.json().items as Array<{ id: string; signature: unknown }>).find((p) => p.id !== 'hello')?.signature, {
    state: 'not-checked',
  });

  const refused = await host.inject({ method: 'POST', url: '/v1/plugins/hello/enable', headers: bearer('admin') });
  t.equal(refused.statusCode, 403);
  t.match(refused.json(), {
    error: {
      code: 'KERNEL_ERR_PLUGIN_UNSIGNED',
      message: /allow-unsigned hello/,
      details: { plugin: 'hello' },
      requestId: String,
    },
  });
  t.equal(kernel.plugin('hello')?.enabled, false);

  await allowUnsigned(kernel.knex, 'hello');
  const enabled = await host.inject({ method: 'POST', url: '/v1/plugins/hello/enable', headers: bearer('admin') });
  t.equal(enabled.statusCode, 200, enabled.body);
  t.match(enabled.json(), { state: 'started', signature: { state: 'unsigned', allowed: true } });
});
