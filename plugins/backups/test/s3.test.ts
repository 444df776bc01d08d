/**
 * The S3 target, against a real S3-compatible server started here: s3rver (npm) over HTTPS with
 * a self-signed certificate (over plain HTTP restic's aws-chunked uploads are stored verbatim by
 * s3rver and the repository is unreadable; see docs/decisions/0029). A backup goes to the bucket,
 * a restore comes back byte-identical, and admins see the target.
 */
import t from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import S3rver from 's3rver';
import { RESTIC, startStack, stackMissing } from './stack.js';
import { eventually } from '../../websites/test/helpers.js';
import { S3_PASSWORD_SECRET } from '../src/services/repository.js';
import { treeLines, writeOddTree } from './tree.js';

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + nginx: ${missing}`);
} else {
  const dir = await fs.mkdtemp('/tmp/hp-s3-');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' }); // prettier-ignore
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: path.join(dir, 'data'),
    key: await fs.readFile(keyFile),
    cert: await fs.readFile(certFile),
    configureBuckets: [{ name: 'backups', configs: [] }],
  });
  const { port } = (await server.run()) as { port: number };
  t.teardown(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const stack = await startStack(t, {
    backups: {
      target: 's3',
      s3: {
        endpoint: `https://127.0.0.1:${port}`,
        bucket: 'backups',
        prefix: 'hostplane/repo',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        caCertFile: certFile,
      },
    },
  });
  const { admin, trees, finished, restored } = stack;
  const alice = stack.caller(trees.customerA);
  /** The S3 repository's password as the plugin sealed it (what key-export prints). */
  const s3Password = async (): Promise<string> => {
    const row = await stack.sql('hostplane.settings').where({ scope: 'secret:backups', key: S3_PASSWORD_SECRET }).first('value');
    return stack.host.kernel.secrets.decrypt('plugin-secret', `backups\0${S3_PASSWORD_SECRET}`, row.value.$hostplaneSecret);
  };

  t.test('a backup lands in the bucket and restores byte-identical', async (t) => {
    const site = await stack.site('own');
    const st = await fs.stat(site.publicDir);
    const owner = { uid: st.uid, gid: st.gid, userGid: (await fs.stat(path.join(site.dir, 'app'))).gid };
    await writeOddTree(site.publicDir, owner);
    const original = await treeLines(site.dir, owner, ['logs', 'tmp']);
    const b = await alice.post('/v1/backups', { websiteId: site.id });
    const done = await finished(alice, b.body.id);
    t.equal(done.status, 'succeeded', done.error ?? '');
    const stored = await fs.readdir(path.join(dir, 'data', 'backups', 'hostplane', 'repo'));
    t.ok(
      stored.some((f) => f.startsWith('config')) && stored.includes('snapshots'),
      `a restic repository in the bucket: ${stored.join(' ')}`,
    );
    await fs.rm(path.join(site.publicDir, 'ünïcödé ✓'), { recursive: true });
    const r = await alice.post(`/v1/backups/${done.id}/restore`, {});
    t.equal((await restored(alice, r.body.id)).status, 'succeeded');
    t.same(await treeLines(site.dir, owner, ['logs', 'tmp']), original);
  });

  t.test('the platform backup goes to the S3 target too; the dump holds the S3 secret sealed only', async (t) => {
    const queued = await admin.post('/v1/backups/platform', {});
    t.equal(queued.status, 202);
    const done = await eventually(async () => {
      const b = (await admin.get(`/v1/backups/platform/${queued.body.id}`)).body;
      return b.status === 'succeeded' || b.status === 'failed' ? b : undefined;
    }, 60_000);
    t.equal(done.status, 'succeeded', done.error ?? '');
    // The dump is read back from the bucket with plain restic, as the drill would.
    const env = {
      PATH: process.env.PATH,
      HOME: '/root',
      RESTIC_REPOSITORY: `s3:https://127.0.0.1:${port}/backups/hostplane/repo`,
      RESTIC_PASSWORD: await s3Password(),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      RESTIC_CACHE_DIR: path.join(dir, 'cache'),
    };
    // Asynchronously: s3rver answers from this very process.
    const { stdout: dump } = await promisify(execFile)(
      RESTIC,
      ['--cacert', certFile, 'dump', done.databaseSnapshotId, '/hostplane.pgdump'],
      { env, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' },
    );
    t.equal(dump.subarray(0, 5).toString(), 'PGDMP', 'the whole database, from the bucket');
    const file = path.join(dir, 'platform.pgdump');
    await fs.writeFile(file, dump);
    const sql = execFileSync('pg_restore', ['--file=-', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    t.match(sql, /"secretAccessKey": \{"\$hostplaneSecret": "hpsec:/, 'the S3 secret is in the dump sealed');
    t.notMatch(sql, /"secretAccessKey": "S3RVER"/, 'never in the clear');
  });

  t.test('admins see the targets; nobody else does', async (t) => {
    const res = await admin.get('/v1/backups/targets');
    t.equal(res.status, 200);
    const s3 = res.body.items.find((x: { kind: string }) => x.kind === 's3');
    t.match(s3, { active: true, reachable: true, location: `s3:https://127.0.0.1:${port}/backups/hostplane/repo` });
    t.ok(s3.snapshots >= 1);
    t.notMatch(JSON.stringify(res.body), /S3RVER/, 'no credential in the answer');
    t.match(
      res.body.items.find((x: { kind: string }) => x.kind === 'local'),
      { active: false, reachable: null },
    );
    t.equal((await alice.get('/v1/backups/targets')).status, 403);
  });
}
