/**
 * What a person sees on a terminal: human log lines there, JSON lines everywhere else, and a
 * plugin package found twice reported in one line, once, not as a stack trace per CLI call.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createTestDatabase } from '@hostplane/core';
import { loadConfig } from '../src/config.js';
import { chooseLogFormat, prettyLine } from '../src/log-format.js';
import { REPO, dropInHello, testDataDir } from './support/cli.js';

t.test('auto: human lines on a terminal, JSON otherwise; the setting overrides', async (t) => {
  t.equal(chooseLogFormat('auto', { isTTY: true }), 'pretty');
  t.equal(chooseLogFormat('auto', { isTTY: false }), 'json');
  t.equal(chooseLogFormat('auto', {}), 'json', 'a pipe or a file has no isTTY');
  t.equal(chooseLogFormat('json', { isTTY: true }), 'json');
  t.equal(chooseLogFormat('pretty', { isTTY: false }), 'pretty');
  t.equal(loadConfig({}).logFormat, 'auto');
  t.equal(loadConfig({ HOSTPLANE_LOG_FORMAT: 'json' }).logFormat, 'json');
  t.throws(() => loadConfig({ HOSTPLANE_LOG_FORMAT: 'xml' }), {
    code: 'HOST_ERR_CONFIG_INVALID',
    message: /HOSTPLANE_LOG_FORMAT/,
  });
});

t.test('a pretty line: time, level, message, the other fields as key=value', async (t) => {
  const line = prettyLine(
    JSON.stringify({
      level: 30,
      time: '2026-12-04T23:01:02.345Z',
      pid: 7,
      requestId: 'abc',
      url: '/v1/x y',
      msg: 'request done',
    }),
  );
  t.equal(line, '23:01:02 INFO  request done requestId=abc url="/v1/x y"\n');
  const warn = prettyLine(
    JSON.stringify({
      level: 40,
      time: '2026-12-04T23:01:02Z',
      msg: 'odd',
      err: { type: 'Error', message: 'm', stack: 'Error: m\n    at x' },
    }),
  );
  t.equal(warn, '23:01:02 WARN  odd err="Error: m"\n', 'below error level, no stack');
  const error = prettyLine(
    JSON.stringify({
      level: 50,
      time: '2026-12-04T23:01:02Z',
      msg: 'broke',
      err: { code: 'X_ERR', message: 'm', stack: 'Error: m\n    at x' },
    }),
  );
  t.equal(error, '23:01:02 ERROR broke err="X_ERR: m"\n    Error: m\n        at x\n', 'an error keeps its stack');
  t.equal(prettyLine('not json'), 'not json\n');
  t.ok(prettyLine(JSON.stringify({ level: 40, msg: 'x' }), true).includes('\u001b[33mWARN'), 'coloured for a terminal');
});

const entry = join(REPO, 'host/dist/cli/main.js');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test(
  'a plugin id found twice: one clear line per CLI call, no stack',
  { skip: existsSync(entry) ? false : 'host/dist is not built: run `npm run build` (npm test does)' },
  async (t) => {
    const db = await createTestDatabase();
    t.teardown(() => db.drop());
    // Two copies of the hello example under different versions: the same id twice.
    const pluginsDir = await dropInHello(t);
    const copy = join(pluginsDir, 'hello-copy');
    await cp(join(pluginsDir, 'hello'), copy, { recursive: true });
    const manifest = JSON.parse(await readFile(join(copy, 'package.json'), 'utf8')) as { version: string };
    await writeFile(join(copy, 'package.json'), JSON.stringify({ ...manifest, version: '9.9.9' }));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      HOSTPLANE_PLUGINS_DIR: pluginsDir,
      HOSTPLANE_DATA_DIR: testDataDir(),
    };
    delete env.NODE_OPTIONS;
    delete env.HOSTPLANE_LOG_LEVEL;

    const json = await run(['users', 'list'], env);
    t.equal(json.code, 0, json.stderr);
    const lines = json.stderr.trim().split('\n');
    t.equal(lines.filter((l) => l.includes('found twice')).length, 1, 'reported once');
    t.notMatch(json.stderr, /\bat .*\(file:/, 'no stack trace');
    t.match(JSON.parse(lines.find((l) => l.includes('found twice'))!), {
      level: 40,
      code: 'KERNEL_ERR_DUPLICATE_PLUGIN',
      msg: /^plugin package skipped: plugin "hello" found twice/,
    });

    const pretty = await run(['users', 'list'], { ...env, HOSTPLANE_LOG_FORMAT: 'pretty' });
    t.match(
      pretty.stderr,
      /^\d\d:\d\d:\d\d WARN {2}plugin package skipped: plugin "hello" found twice: .* \(the first is used\)/,
    );
    t.equal(pretty.stderr.trim().split('\n').length, 1, 'one line');
    await rm(copy, { recursive: true, force: true });
  },
);
