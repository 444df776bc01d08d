// Drop-in plugins outside the install import the host's SDK through a link in their folder
// (core/src/registry/sdk-link.ts): checked by importing from a real drop-in folder in a fresh process.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { hostSdkDir, linkSdkForDropIns } from '../src/registry/sdk-link.js';

function pluginsFolder(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostplane-sdk-link-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const link = (dir: string) => join(dir, 'node_modules', '@hostplane', 'sdk');

t.test('an empty or missing plugins folder gets nothing', async (t) => {
  const dir = pluginsFolder(t);
  linkSdkForDropIns(dir);
  linkSdkForDropIns(join(dir, 'absent'));
  t.notOk(lstatSync(link(dir), { throwIfNoEntry: false }), 'no node_modules made for nothing');
});

t.test("a drop-in imports the host's SDK through the link", async (t) => {
  const dir = pluginsFolder(t);
  mkdirSync(join(dir, 'greeter'));
  writeFileSync(join(dir, 'greeter', 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(dir, 'greeter', 'index.js'),
    "import { definePlugin } from '@hostplane/sdk';\nconsole.log(typeof definePlugin);\n",
  );
  linkSdkForDropIns(dir);
  t.equal(realpathSync(link(dir)), realpathSync(hostSdkDir()));
  // A fresh node without the workspace's source condition: the SDK's built files, as in production.
  const out = execFileSync(process.execPath, [join(dir, 'greeter', 'index.js')], { env: { PATH: process.env.PATH } });
  t.equal(out.toString().trim(), 'function');
  linkSdkForDropIns(dir);
  t.equal(realpathSync(link(dir)), realpathSync(hostSdkDir()), 'linking again changes nothing');
});

t.test('a stale link is replaced; an SDK an admin installed as a folder is left alone', async (t) => {
  const stale = pluginsFolder(t);
  mkdirSync(join(stale, 'p'));
  mkdirSync(join(stale, 'node_modules', '@hostplane'), { recursive: true });
  symlinkSync(join(stale, 'moved-away'), link(stale), 'dir');
  linkSdkForDropIns(stale);
  t.equal(realpathSync(link(stale)), realpathSync(hostSdkDir()));

  const own = pluginsFolder(t);
  mkdirSync(join(own, 'p'));
  mkdirSync(link(own), { recursive: true });
  writeFileSync(join(link(own), 'package.json'), '{"name":"@hostplane/sdk","version":"9.9.9"}');
  linkSdkForDropIns(own);
  t.ok(lstatSync(link(own)).isDirectory(), 'still the admin’s folder');
  t.throws(() => readlinkSync(link(own)));
});
