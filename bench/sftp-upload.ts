/**
 * SFTP upload benchmark (issue 13): 100 MB (100 files of 1 MiB of random bytes) uploaded with
 * the real `sftp` client to the sftp plugin's managed OpenSSH, as a site's SFTP account with an
 * SSH key (chrooted, `internal-sftp`, files owned by the site's user with the site's modes).
 *
 * Baseline, same files, same disk, same run: `cp -r` of the folder into the same site by root,
 * which is the floor; the ratio is what encryption, the SSH channel and the chroot cost. Each
 * side runs three times, taking turns; the medians are compared.
 *
 * Run (as root: sites and SFTP accounts are system users):
 *   node --conditions=@hostplane/source --import tsx bench/sftp-upload.ts
 * Env: BENCH_MB (default 100), BENCH_ROUNDS (default 3).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { startStack } from '../plugins/sftp/test/stack.js';
import { median } from './support/measure.js';

const MB = Number(process.env.BENCH_MB ?? 100);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const exec = promisify(execFile);

// The stack is the sftp plugin's test stack; its teardowns run at the end of the bench.
const teardowns: Array<() => unknown> = [];
const stack = await startStack({ teardown: (fn: () => unknown) => void teardowns.push(fn) } as unknown as Test);
try {
  const site = await stack.site('own');
  const key = await stack.keyPair();
  const created = await stack
    .caller(stack.trees.customerA)
    .post(`/v1/websites/${site.id}/sftp-accounts`, { name: 'bench', publicKeys: [key.publicKey] });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const login = created.body.login as string;

  const source = path.join(stack.base, 'client', 'payload');
  await mkdir(source, { recursive: true });
  for (let i = 0; i < MB; i += 1)
    await writeFile(path.join(source, `part-${String(i).padStart(3, '0')}.bin`), randomBytes(1024 * 1024));

  const sftpMs: number[] = [];
  const cpMs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let start = performance.now();
    const r = await stack.sftpRun(login, { key: key.file }, [`put -r ${source} public/sftp-${round}`]);
    sftpMs.push(performance.now() - start);
    if (r.code !== 0) throw new Error(`sftp: ${r.stderr}`);
    const landed = await readdir(path.join(site.publicDir, `sftp-${round}`));
    if (landed.length !== MB) throw new Error(`${landed.length} files arrived over SFTP, ${MB} sent`);
    const one = await stat(path.join(site.publicDir, `sftp-${round}`, landed[0]!));
    if (one.size !== 1024 * 1024 || one.uid === 0) throw new Error(`a file arrived wrong: ${one.size} bytes, uid ${one.uid}`);

    start = performance.now();
    await exec('cp', ['-r', source, path.join(site.publicDir, `cp-${round}`)]);
    cpMs.push(performance.now() - start);
    await rm(path.join(site.publicDir, `sftp-${round}`), { recursive: true, force: true });
    await rm(path.join(site.publicDir, `cp-${round}`), { recursive: true, force: true });
  }

  const result = {
    bench: 'sftp-upload',
    megabytes: MB,
    rounds: ROUNDS,
    sftpSeconds: +(median(sftpMs) / 1000).toFixed(2),
    sftpMBPerSecond: +(MB / (median(sftpMs) / 1000)).toFixed(1),
    cpSeconds: +(median(cpMs) / 1000).toFixed(3),
    cpMBPerSecond: +(MB / (median(cpMs) / 1000)).toFixed(1),
    sftpToCpThroughput: +(median(cpMs) / median(sftpMs)).toFixed(3),
  };
  console.log(
    `${MB} MB over SFTP (key login, chrooted, site user's files): ${result.sftpSeconds} s, ${result.sftpMBPerSecond} MB/s`,
  );
  console.log(
    `the same files with cp -r: ${result.cpSeconds} s, ${result.cpMBPerSecond} MB/s; SFTP runs at ${result.sftpToCpThroughput}× cp's throughput`,
  );
  console.log(JSON.stringify(result));
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
