import t from 'tap';
import { bootKernel, pluginSource, tempPluginsDir, writePlugin } from './support/kernel.js';

const manifest = (id: string, extra: Record<string, unknown> = {}) => ({ hostplane: { id, sdk: '^0.1.0', ...extra } });

t.test('drop-in plugins are discovered; broken manifests are reported, not fatal', async (t) => {
  const dir = await tempPluginsDir();
  await writePlugin(
    dir,
    'ok',
    manifest('ok', { permissions: ['http:routes'] }),
    pluginSource('ok', '', { permissions: ['http:routes'] }),
  );
  await writePlugin(dir, 'broken', { hostplane: { id: 'Bad Id', sdk: 'banana', extra: 1 } }, pluginSource('broken'));
  await writePlugin(dir, 'no-manifest', {}, pluginSource('x'));
  const kernel = await bootKernel(t, { discovery: { dropInDirs: [dir] } });
  t.same(
    kernel.plugins().map((p) => [p.id, p.source, p.state]),
    [['ok', 'drop-in', 'discovered']],
  );
  const problems = kernel.discoveryProblems.map((p) => p.error.message).join('\n');
  t.match(problems, /broken.*hostplane\.id/s);
  t.match(problems, /hostplane.*extra|Unexpected property/s);
  t.match(problems, /no-manifest.*no "hostplane" field/s);
  t.equal((await kernel.enable('ok')).state, 'started');
});

t.test('missing, incompatible and cyclic dependencies are refused by name', async (t) => {
  const dir = await tempPluginsDir();
  await writePlugin(
    dir,
    'needs-ghost',
    manifest('needs-ghost', { requires: { ghost: '^1.0.0' } }),
    pluginSource('needs-ghost', '', { requires: { ghost: '^1.0.0' } }),
  );
  await writePlugin(dir, 'base', { version: '1.0.0', ...manifest('base') }, pluginSource('base'));
  await writePlugin(
    dir,
    'needs-base-2',
    manifest('needs-base-2', { requires: { base: '^2.0.0' } }),
    pluginSource('needs-base-2', '', { requires: { base: '^2.0.0' } }),
  );
  await writePlugin(
    dir,
    'cycle-a',
    manifest('cycle-a', { requires: { 'cycle-b': '*' } }),
    pluginSource('cycle-a', '', { requires: { 'cycle-b': '*' } }),
  );
  await writePlugin(
    dir,
    'cycle-b',
    manifest('cycle-b', { requires: { 'cycle-a': '*' } }),
    pluginSource('cycle-b', '', { requires: { 'cycle-a': '*' } }),
  );
  await writePlugin(
    dir,
    'future-sdk',
    { hostplane: { id: 'future-sdk', sdk: '^9.0.0' } },
    pluginSource('future-sdk', '', { sdk: '^9.0.0' }),
  );
  const kernel = await bootKernel(t, { discovery: { dropInDirs: [dir] } });
  await t.rejects(kernel.enable('needs-ghost'), {
    code: 'KERNEL_ERR_DEPENDENCY_MISSING',
    message: /"needs-ghost" requires "ghost" \^1\.0\.0/,
  });
  await t.rejects(kernel.enable('needs-base-2'), { code: 'KERNEL_ERR_DEPENDENCY_INCOMPATIBLE', message: /installed is 1\.0\.0/ });
  await t.rejects(kernel.enable('future-sdk'), { code: 'KERNEL_ERR_SDK_INCOMPATIBLE', message: /needs SDK \^9\.0\.0/ });
  await t.rejects(kernel.enable('cycle-a'), { code: 'KERNEL_ERR_DEPENDENCY_NOT_ENABLED' });
  t.equal((await kernel.health()).ok, true, 'the host keeps serving');
});

t.test('a stored cycle fails both plugins at boot, naming the cycle', async (t) => {
  const dir = await tempPluginsDir();
  await writePlugin(
    dir,
    'cycle-a',
    manifest('cycle-a', { requires: { 'cycle-b': '*' } }),
    pluginSource('cycle-a', '', { requires: { 'cycle-b': '*' } }),
  );
  await writePlugin(
    dir,
    'cycle-b',
    manifest('cycle-b', { requires: { 'cycle-a': '*' } }),
    pluginSource('cycle-b', '', { requires: { 'cycle-a': '*' } }),
  );
  const kernel = await bootKernel(t, { discovery: { dropInDirs: [dir] }, enable: ['cycle-a', 'cycle-b'] });
  t.match(kernel.plugin('cycle-a')?.error, { phase: 'dependencies', message: /cycle: cycle-a → cycle-b → cycle-a/ });
  t.equal(kernel.plugin('cycle-b')?.state, 'failed');
});

t.test('a definition that asks for more than its manifest declares is refused', async (t) => {
  const dir = await tempPluginsDir();
  await writePlugin(
    dir,
    'greedy',
    manifest('greedy', { permissions: ['http:routes'] }),
    pluginSource('greedy', '', { permissions: ['http:routes', 'db'] }),
  );
  await writePlugin(dir, 'liar', manifest('liar'), pluginSource('someone-else'));
  await writePlugin(dir, 'not-a-plugin', manifest('not-a-plugin'), 'export default { id: "not-a-plugin" };');
  const kernel = await bootKernel(t, { discovery: { dropInDirs: [dir] } });
  await t.rejects(kernel.enable('greedy'), { code: 'KERNEL_ERR_PLUGIN_FAILED', message: /capability "db" not listed/ });
  await t.rejects(kernel.enable('liar'), { message: /differs from manifest id/ });
  await t.rejects(kernel.enable('not-a-plugin'), { message: /must default-export definePlugin/ });
});

t.test('the first package claiming an id wins; the duplicate is reported', async (t) => {
  const first = await tempPluginsDir();
  const second = await tempPluginsDir();
  await writePlugin(first, 'dup', manifest('dup'), pluginSource('dup'));
  await writePlugin(second, 'dup', { name: 'other-dup', ...manifest('dup') }, pluginSource('dup'));
  const kernel = await bootKernel(t, { discovery: { dropInDirs: [first, second] } });
  t.equal(kernel.plugins().length, 1);
  t.match(kernel.discoveryProblems[0]?.error, { code: 'KERNEL_ERR_DUPLICATE_PLUGIN' });
});
