/**
 * The cheap key (restic/cheap-key.ts): Poly1305 against RFC 8439's vector, a key restic made
 * unwrapped and re-wrapped, and a repository the plugin initialises opened by the real restic
 * with the new key only; a password a person chose is left alone.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { CHEAP_KDF, cheapKeyId, isGeneratedPassword, poly1305, unwrap } from '../src/restic/cheap-key.js';
import { Restic } from '../src/restic/restic.js';
import { RESTIC, stackMissing } from './stack.js';

t.test('Poly1305: RFC 8439 section 2.5.2', async (t) => {
  const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
  const tag = poly1305(Buffer.from('Cryptographic Forum Research Group'), key.subarray(0, 16), key.subarray(16));
  t.equal(tag.toString('hex'), 'a8061dc1305136c6c22b8baf0c0127a9');
  t.equal(poly1305(Buffer.alloc(0), key.subarray(0, 16), key.subarray(16)).toString('hex'), key.subarray(16).toString('hex'));
});

t.test('only a password the plugin made is re-wrapped', async (t) => {
  t.ok(isGeneratedPassword(randomBytes(32).toString('base64url')));
  t.notOk(isGeneratedPassword('correct horse battery staple'));
  t.notOk(isGeneratedPassword(''));
});

const missing = stackMissing();
if (missing) {
  t.skip(`real restic: ${missing}`);
} else {
  const run = promisify(execFile);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hp-cheap-key-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const restic = new Restic({ binary: RESTIC, cacheDir: path.join(dir, 'cache'), limitUploadKiB: 0, limitDownloadKiB: 0 });
  const keyOf = async (repo: string) => {
    const names = await readdir(path.join(repo, 'keys'));
    return { names, key: JSON.parse(await readFile(path.join(repo, 'keys', names[0]!), 'utf8')) };
  };
  /** CPU seconds (user + system) restic spends opening the repository. */
  const openCost = async (location: string, password: string) => {
    const { stderr } = await run('/usr/bin/time', ['-f', '%U %S', RESTIC, '-r', location, '--no-cache', 'cat', 'config'], {
      env: { PATH: process.env.PATH, RESTIC_PASSWORD: password },
    });
    const [user, system] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    return user! + system!;
  };

  t.test('a repository the plugin makes is opened with the cheap key alone', async (t) => {
    const password = randomBytes(32).toString('base64url');
    const repo = { location: path.join(dir, 'ours'), password };
    t.equal(await restic.ensureRepository(repo), 'created');
    const { names, key } = await keyOf(repo.location);
    t.equal(names.length, 1, 'restic’s own key is gone');
    t.match(key, { kdf: 'scrypt', N: CHEAP_KDF.N, r: CHEAP_KDF.r, p: CHEAP_KDF.p });
    t.equal(await restic.ensureRepository(repo), 'existed', 'opened again');
    const cheap = await openCost(repo.location, password);
    const master = JSON.parse((await unwrap(key, password)).toString('utf8'));
    t.match(master, { mac: { k: String, r: String }, encrypt: String }, 'the master key, as restic keeps it');
    await t.rejects(unwrap(key, `${password}x`), /does not open/, 'another password does not open it');
    const wrong = await restic.run({ ...repo, password: randomBytes(32).toString('base64url') }, ['cat', 'config']);
    t.not(wrong.code, 0, 'restic refuses another password');
    // A recovery key (restic stretches it as usual) does not hide the cheap one from the hint.
    const file = path.join(dir, 'recovery');
    await writeFile(file, 'a recovery password\n', { mode: 0o600 });
    await restic.ok(repo, ['key', 'add', '--new-password-file', file]);
    t.equal((await readdir(path.join(repo.location, 'keys'))).length, 2);
    t.equal(await cheapKeyId(repo.location), names[0], 'the hint names the cheap key');

    // The same command on a repository restic keyed itself (a person's password).
    const theirs = { location: path.join(dir, 'theirs'), password: 'a password a person chose' };
    t.equal(await restic.ensureRepository(theirs), 'created');
    const own = (await keyOf(theirs.location)).key;
    t.ok(own.N * own.r * own.p > CHEAP_KDF.N * CHEAP_KDF.r * CHEAP_KDF.p, 'restic’s calibrated key is kept');
    // What it saves, for the log (a figure, not a check: CPU time is the machine's).
    const calibrated = await openCost(theirs.location, theirs.password);
    t.comment(`opening the repository costs ${cheap.toFixed(2)} s of CPU instead of ${calibrated.toFixed(2)} s`);
  });
}
