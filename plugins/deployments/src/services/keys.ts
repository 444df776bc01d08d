/**
 * A site's deploy key: an ed25519 pair made by `ssh-keygen` in a private temporary folder. The
 * public half is stored with the connection and shown; the private half goes to the secrets
 * service (encrypted, this plugin only) and reaches disk only for the length of a clone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DeployKey {
  publicKey: string;
  privateKey: string;
}

export async function makeDeployKey(comment: string): Promise<DeployKey> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hostplane-deploy-key-'));
  try {
    const file = path.join(dir, 'key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { timeout: 30_000 });
    return {
      publicKey: (await readFile(`${file}.pub`, 'utf8')).trim(),
      privateKey: await readFile(file, 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
