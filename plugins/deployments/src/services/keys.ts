/**
 * Whether the programs deploys run are here: `git` always, `ssh-keygen` and `ssh` for ssh
 * repositories. Returns what is missing, in words, or null.
 */
export async function missingPrograms(): Promise<string | null> {
  const missing: string[] = [];
  for (const [program, args, pkg] of [
    ['git', ['--version'], 'git'],
    ['ssh-keygen', ['-?'], 'openssh-client'],
  ] as const) {
    // ssh-keygen -? exits 1 after printing its usage: only a failure to start counts.
    await run(program, [...args], { timeout: 10_000 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') missing.push(`${program} (apt-get install ${pkg})`);
    });
  }
  return missing.length ? `not installed: ${missing.join(', ')}` : null;
}

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
import { DeployErrors } from '../errors.js';

const run = promisify(execFile);

export interface DeployKey {
  publicKey: string;
  privateKey: string;
}

export async function makeDeployKey(comment: string): Promise<DeployKey> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hostplane-deploy-key-'));
  try {
    const file = path.join(dir, 'key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { timeout: 30_000 }).catch(
      (err: Error) => {
        throw DeployErrors.unavailable(`ssh-keygen failed (apt-get install openssh-client): ${err.message}`);
      },
    );
    return {
      publicKey: (await readFile(`${file}.pub`, 'utf8')).trim(),
      privateKey: await readFile(file, 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
