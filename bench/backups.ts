/**
 * Backups benchmark (issue 15), real restic through the backups plugin (API → durable job →
 * restic run as the platform, the site's tree read in place) on a site of the real NGINX driver:
 *
 * 1. The first backup of a 1 GB tree (half random bytes, half text: what sites hold) against
 *    `tar -c | zstd -T2` of the same tree to a file on the same disk, same run: the throughput
 *    ratio.
 * 2. A second backup after changing 1 % of the files: its time as a share of the first's
 *    (target < 10 %).
 * 3. A whole-site restore of the first snapshot: MB/s.
 *
 * The times are the plugin's own `durationMs` (restic's run), and the wall time from the request
 * to `succeeded` beside them (which adds the job queue and the bookkeeping).
 *
 * Run (as root: site users): node --conditions=@hostplane/source --import tsx bench/backups.ts
 * Env: BENCH_MB (default 1024).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { startStack } from '../plugins/backups/test/stack.js';

const MB = Number(process.env.BENCH_MB ?? 1024);
const exec = promisify(execFile);

const teardowns: Array<() => unknown> = [];
const stack = await startStack({ teardown: (fn: () => unknown) => void teardowns.push(fn) } as unknown as Test, {
  backups: { concurrency: 1 },
});
try {
  const site = await stack.site('own');
  const alice = stack.caller(stack.trees.customerA);
  const owner = await stat(site.dir);
  const tree = path.join(site.publicDir, 'data');
  await mkdir(tree);
  await chown(tree, owner.uid, owner.gid);
  const text = Buffer.from('<p>Hostplane benchmark page with some ordinary, compressible text.</p>\n'.repeat(16_000)).subarray(
    0,
    1024 * 1024,
  );
  const fileOf = (i: number) => path.join(tree, `d${String(i % 20).padStart(2, '0')}`, `f${String(i).padStart(4, '0')}.bin`);
  for (let d = 0; d < 20; d += 1) {
    await mkdir(path.dirname(fileOf(d)), { recursive: true });
    await chown(path.dirname(fileOf(d)), owner.uid, owner.gid);
  }
  for (let i = 0; i < MB; i += 1) {
    await writeFile(fileOf(i), i % 2 ? randomBytes(1024 * 1024) : text);
    await chown(fileOf(i), owner.uid, owner.gid);
  }

  const backup = async () => {
    const start = performance.now();
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    if (res.status !== 202 && res.status !== 201) throw new Error(JSON.stringify(res.body));
    const done = await stack.finished(alice, res.body.id, 1_800_000);
    if (done.status !== 'succeeded') throw new Error(`backup failed: ${JSON.stringify(done)}`);
    return {
      id: res.body.id as string,
      wallMs: performance.now() - start,
      durationMs: done.durationMs as number,
      addedBytes: done.addedBytes as number,
    };
  };

  const first = await backup();
  const archive = path.join(stack.root, 'baseline.tar.zst');
  let start = performance.now();
  await exec('sh', ['-c', `tar -cf - -C "${site.dir}" . | zstd -q -T2 -o "${archive}"`], { maxBuffer: 1024 * 1024 });
  const tarMs = performance.now() - start;
  const archiveBytes = (await stat(archive)).size;
  await rm(archive);

  const changed = Math.max(1, Math.round(MB / 100));
  for (let i = 0; i < changed; i += 1) await writeFile(fileOf((i * 97) % MB), randomBytes(1024 * 1024));
  const second = await backup();

  start = performance.now();
  const restore = await alice.post(`/v1/backups/${first.id}/restore`, {});
  if (restore.status !== 202 && restore.status !== 201) throw new Error(JSON.stringify(restore.body));
  const restoredRow = await stack.restored(alice, restore.body.id, 1_800_000);
  if (restoredRow.status !== 'succeeded') throw new Error(`restore failed: ${JSON.stringify(restoredRow)}`);
  const restoreMs = performance.now() - start;

  const result = {
    bench: 'backups',
    megabytes: MB,
    firstBackupSeconds: +(first.durationMs / 1000).toFixed(2),
    firstBackupWallSeconds: +(first.wallMs / 1000).toFixed(2),
    firstBackupMBPerSecond: +(MB / (first.durationMs / 1000)).toFixed(1),
    firstAddedMB: +(first.addedBytes / 1024 / 1024).toFixed(1),
    tarZstdSeconds: +(tarMs / 1000).toFixed(2),
    tarZstdMB: +(archiveBytes / 1024 / 1024).toFixed(1),
    throughputRatioToTarZstd: +(tarMs / first.durationMs).toFixed(2),
    changedFiles: changed,
    secondBackupSeconds: +(second.durationMs / 1000).toFixed(2),
    secondAddedMB: +(second.addedBytes / 1024 / 1024).toFixed(1),
    secondShareOfFirst: +(second.durationMs / first.durationMs).toFixed(3),
    restoreWallSeconds: +(restoreMs / 1000).toFixed(2),
    restoreMBPerSecond: +(MB / (restoreMs / 1000)).toFixed(1),
    target: { secondShareOfFirst: 0.1 },
    pass: second.durationMs / first.durationMs < 0.1,
  };
  console.log(
    `first backup of ${MB} MB: ${result.firstBackupSeconds} s (${result.firstBackupMBPerSecond} MB/s; ${result.firstAddedMB} MB stored), wall ${result.firstBackupWallSeconds} s`,
  );
  console.log(
    `tar | zstd -T2 of the same tree: ${result.tarZstdSeconds} s (${result.tarZstdMB} MB); restic's throughput is ${result.throughputRatioToTarZstd}× that`,
  );
  console.log(
    `second backup after changing ${changed} files: ${result.secondBackupSeconds} s, ${result.secondShareOfFirst} of the first (target < 0.1), ${result.secondAddedMB} MB stored`,
  );
  console.log(`whole-site restore: ${result.restoreWallSeconds} s, ${result.restoreMBPerSecond} MB/s (wall, request to done)`);
  console.log(JSON.stringify(result));
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
