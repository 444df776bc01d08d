/**
 * The real stack a deployments test runs on: accounts, websites, the NGINX driver (real nginx,
 * site users as root) and deployments with local repositories allowed, plus a Git repository
 * helper: a bare repository served over file://, owned by the site's user (git refuses to read
 * a repository another user owns), and a work tree the test commits from.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import deployments from '../src/index.js';
import { get, systemMissing } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { startSiteStack } from '../../websites/test/site-stack.js';

const exec = promisify(execFile);

export function stackMissing(): string | null {
  return systemMissing();
}

/** `git` as root on the test's own repositories (which belong to a site user). */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec(
    'git',
    ['-c', 'safe.directory=*', '-c', 'user.email=test@hostplane.test', '-c', 'user.name=Test', ...args],
    { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } },
  );
  return stdout.trim();
}

export interface Repo {
  url: string;
  bare: string;
  work: string;
  /** Write files, commit, push to `branch`; returns the commit. */
  commit(files: Record<string, string>, branch?: string): Promise<string>;
}

export async function startStack(t: Test, options: { deployments?: Record<string, unknown> } = {}) {
  const stack = await startSiteStack(t, {
    label: 'Deploy',
    plugins: [deployments],
    config: () => ({ deployments: { allowLocalRepositories: true, ...options.deployments } }),
  });
  const { host, sql, root, port, trees, admin, subscriptions, site } = stack;
  const repoDir = await fs.mkdtemp(path.join(tmpdir(), 'hostplane-deploy-repos-'));
  await fs.chmod(repoDir, 0o755);
  t.teardown(() => fs.rm(repoDir, { recursive: true, force: true }));

  /** A bare repository (branch `main`) readable by the owner of `siteDir`, and a work tree to commit from. */
  async function repo(siteDir: string): Promise<Repo> {
    const base = await fs.mkdtemp(path.join(repoDir, 'r-'));
    await fs.chmod(base, 0o755);
    const bare = path.join(base, 'site.git');
    const work = path.join(base, 'work');
    await git(base, 'init', '-q', '--bare', '-b', 'main', bare);
    await git(base, 'init', '-q', '-b', 'main', work);
    await git(work, 'remote', 'add', 'origin', bare);
    const owner = await fs.stat(siteDir);
    const commit = async (files: Record<string, string>, branch = 'main') => {
      await git(work, 'checkout', '-q', '-B', branch);
      for (const [name, content] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(work, name)), { recursive: true });
        await fs.writeFile(path.join(work, name), content);
      }
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '-m', `commit ${Object.keys(files).join(' ')}`);
      // Root's git refuses a repository another user owns too: it is the site user's only between pushes.
      await exec('chown', ['-R', '0', bare]);
      await git(work, 'push', '-q', 'origin', `${branch}:${branch}`);
      await exec('chown', ['-R', `${owner.uid}`, bare]);
      await exec('chmod', ['-R', 'a+rX', base]);
      return git(work, 'rev-parse', 'HEAD');
    };
    return { url: `file://${bare}`, bare, work, commit };
  }

  const serve = (domain: string, urlPath = '/') => get(port, domain, urlPath);

  return { host, sql, root, port, trees, admin, subscriptions, site, repo, serve, caller: stack.caller };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** Wait for a deployment to finish (succeeded, failed or skipped) and return it with its log. */
export function finished(
  client: { get(url: string): Promise<{ status: number; body: Record<string, unknown> }> },
  websiteId: string,
  id: string,
  timeoutMs = 60_000,
) {
  return eventually(
    async () => {
      const d = (await client.get(`/v1/websites/${websiteId}/deployments/${id}`)).body as Record<string, unknown> & {
        status: string;
        log: string;
        error: string | null;
      };
      return ['succeeded', 'failed', 'skipped'].includes(d.status) ? d : undefined;
    },
    timeoutMs,
    100,
  );
}
