/** The pieces of process isolation that need no process: flags, codec, mode, names, reads, calls. */
import { join } from 'node:path';
import t from 'tap';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { decodeSymbols, encodeSymbols } from '../src/isolation/child/codec.js';
import { Peer } from '../src/isolation/child/peer.js';
import type { WireMessage } from '../src/isolation/child/protocol.js';
import { isolationModeOf } from '../src/isolation/isolation-mode.js';
import { isolationExecArgv, permissionFlag } from '../src/isolation/node-flags.js';
import { dependencyClosure, readAllowList } from '../src/isolation/read-allow-list.js';
import { pluginUserName } from '../src/isolation/system-user.js';
import type { PluginRecord } from '../src/registry/plugin-record.js';
import { fileURLToPath } from 'node:url';

t.test('the permission flag follows the Node version', async (t) => {
  t.equal(permissionFlag({ node: '20.20.2' }), '--experimental-permission');
  t.equal(permissionFlag({ node: '22.12.0' }), '--experimental-permission');
  t.equal(permissionFlag({ node: '22.13.0' }), '--permission');
  t.equal(permissionFlag({ node: '23.4.0' }), '--experimental-permission');
  t.equal(permissionFlag({ node: '23.5.0' }), '--permission');
  t.equal(permissionFlag({ node: '24.1.0' }), '--permission');
});

t.test('exec arguments grant reads, writes and nothing else unless declared', async (t) => {
  const args = isolationExecArgv(
    { read: ['/a/', '/b/'], write: ['/w/'], childProcesses: false, workers: false, memoryMb: 64 },
    { node: '20.20.2' },
  );
  t.same(args.slice(0, 4), ['--experimental-permission', '--allow-fs-read=/a/', '--allow-fs-read=/b/', '--allow-fs-write=/w/']);
  t.notOk(args.includes('--allow-child-process'));
  t.notOk(args.includes('--allow-worker'));
  t.ok(args.includes('--max-old-space-size=64'));
  const exec = isolationExecArgv({ read: [], write: [], childProcesses: true, workers: false, memoryMb: 64 }, { node: '24.0.0' });
  t.equal(exec[0], '--permission');
  t.ok(exec.includes('--allow-child-process'));
});

t.test('TypeBox schemas survive the trip through structured clone', async (t) => {
  const schema = Type.Object({ greeting: Type.String({ default: 'Hello' }), keep: Type.Optional(Type.Integer({ minimum: 1 })) });
  const travelled = decodeSymbols<typeof schema>(structuredClone(encodeSymbols(schema)));
  t.same(Value.Default(travelled, {}), { greeting: 'Hello' });
  t.ok(Value.Check(travelled, { greeting: 'x', keep: 3 }));
  t.notOk(Value.Check(travelled, { greeting: 'x', keep: 0 }), 'constraints kept');
  t.equal(
    encodeSymbols(() => 1),
    undefined,
    'functions are dropped',
  );
});

function record(
  source: PluginRecord['discovered']['source'],
  manifest: Record<string, unknown> = {},
  inline = false,
): PluginRecord {
  return {
    discovered: { manifest: { id: 'x', sdk: '^0.1.0', version: '1.0.0', ...manifest }, pkg: {}, dir: '/nowhere', source },
    ...(inline ? { inline: {} as never } : {}),
    state: 'discovered',
    enabled: false,
    storedConfig: {},
    error: null,
  } as unknown as PluginRecord;
}

t.test('third-party plugins run isolated; a manifest cannot lift that, the admin can', async (t) => {
  t.equal(isolationModeOf(record('drop-in'), {}), 'process');
  t.equal(isolationModeOf(record('npm'), {}), 'process');
  t.equal(isolationModeOf(record('drop-in', { isolation: 'in-process' }), {}), 'process', 'the manifest asks in vain');
  t.equal(isolationModeOf(record('drop-in'), { x: 'in-process' }), 'in-process', 'the admin decides');
  t.equal(isolationModeOf(record('first-party'), {}), 'in-process');
  t.equal(
    isolationModeOf(record('first-party', { isolation: 'process' }), {}),
    'process',
    'first-party may ask for the seatbelt',
  );
  t.equal(isolationModeOf(record('first-party'), { x: 'process' }), 'process');
  t.equal(
    isolationModeOf(record('inline', {}, true), { x: 'process' }),
    'in-process',
    'an object in memory has no package to run',
  );
});

t.test('system user names fit useradd', async (t) => {
  t.equal(pluginUserName('hello'), 'hp-hello');
  const long = pluginUserName('a-very-long-plugin-identifier-with-many-words');
  t.ok(long.length <= 32);
  t.not(long, pluginUserName('a-very-long-plugin-identifier-with-other-words'), 'different ids, different users');
});

t.test('the read allow-list never includes the kernel', async (t) => {
  const coreDir = fileURLToPath(new URL('..', import.meta.url));
  const closure = dependencyClosure(['@hostplane/core', 'knex'], coreDir);
  t.notOk(
    closure.some((d) => d.endsWith('/core/')),
    'no @hostplane/core',
  );
  t.ok(
    closure.some((d) => d.includes('/node_modules/knex/')),
    'knex',
  );
  t.ok(
    closure.some((d) => d.includes('/node_modules/tarn/')),
    "and knex's dependencies",
  );
  const helloDir = fileURLToPath(new URL('../../examples/plugin-hello', import.meta.url));
  const list = readAllowList({ pluginDir: helloDir.replace(/\/$/, ''), runnerDir: '/runner', coreDir, needs: [] });
  t.ok(
    list.some((d) => d.endsWith('/sdk/')),
    'the SDK the plugin imports',
  );
  t.notOk(
    list.some((d) => d.endsWith('/core/') || d.endsWith('/host/')),
    'nothing of the kernel or host',
  );
  t.same(
    list.filter((d) => d.startsWith(join(coreDir, 'dist'))),
    [join(coreDir, 'dist/jobs/enqueue-args.js'), join(coreDir, 'dist/jobs/errors.js')],
    'of the kernel, only the two files the runner imports for batched jobs',
  );
});

t.test('calls have one answer, a time limit, and fail when the channel closes', async (t) => {
  const ends: { b?: Peer } = {};
  const a = new Peer(
    (m: WireMessage) => (setImmediate(() => ends.b?.receive(m)), true),
    async () => 'from a',
  );
  const b = new Peer(
    (m: WireMessage) => (setImmediate(() => a.receive(m)), true),
    async (method, params) => {
      if (method === 'echo') return params;
      if (method === 'slow') return new Promise((r) => setTimeout(r, 200));
      throw Object.assign(new Error('nope'), { code: 'X_ERR_NOPE', statusCode: 409, details: { why: 1 } });
    },
  );
  ends.b = b;
  t.same(await a.call('echo', { n: new Set([1]) }), { n: new Set([1]) });
  await t.rejects(a.call('fail', null), { code: 'X_ERR_NOPE', statusCode: 409, details: { why: 1 } });
  await t.rejects(a.call('slow', null, 20), /longer than 20 ms/);
  const pending = a.call('slow', null);
  a.close(() => new Error('gone'));
  await t.rejects(pending, /gone/);
  await t.rejects(a.call('echo', 1), /gone/);
});
