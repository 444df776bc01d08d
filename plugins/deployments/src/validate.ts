/**
 * What a customer may type into a connection. Each value ends up on a command line run as the
 * site's user (`git clone … -- <url> <dir>`, `--branch <branch>`), so besides being well formed
 * nothing may read as an option (`--upload-pack=…`, `-oProxyCommand=…`) or pick a transport
 * that runs programs (`ext::`, `fd::`): only https, ssh and (when the admin allows) local
 * repositories pass, and git is also told so through `GIT_ALLOW_PROTOCOL` (runner).
 */
import { DeployErrors } from './errors.js';

export type RepositoryKind = 'https' | 'ssh' | 'local';

// eslint-disable-next-line no-control-regex -- exactly the characters refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/;
/** A repository path: no option-looking segment, no spaces, nothing a shell or git would expand. */
const REPO_PATH = /^[A-Za-z0-9._~/+-]+$/;
const SCP_LIKE = /^([^@/:]+)@([^@/:]+):(.+)$/;

function checkPath(p: string, what: string): void {
  if (!REPO_PATH.test(p)) throw DeployErrors.invalidUrl(`${what} may hold letters, digits and . _ ~ / + - only`);
  if (p.split('/').some((seg) => seg.startsWith('-'))) throw DeployErrors.invalidUrl(`no part of ${what} may start with "-"`);
  if (p.split('/').includes('..')) throw DeployErrors.invalidUrl(`${what} may not contain ".."`);
}

/** The URL's kind when it is accepted; a 400 naming the field otherwise. */
export function checkRepositoryUrl(raw: string, allowLocal: boolean): RepositoryKind {
  const url = raw;
  if (url.length === 0 || url.length > 1024) throw DeployErrors.invalidUrl('1 to 1024 characters');
  if (url.startsWith('-')) throw DeployErrors.invalidUrl('it may not start with "-"');
  if (CONTROL.test(url) || /\s/.test(url)) throw DeployErrors.invalidUrl('no spaces or control characters');
  if (url.includes('::')) throw DeployErrors.invalidUrl('git transports such as ext:: are not accepted');
  // Checked on the text git receives, not on what a URL parser makes of it (it would fold `a/../b`).
  if (/\/\.\.?(\/|$)/.test(url) || url.includes('%')) throw DeployErrors.invalidUrl('no "." or ".." parts and no %-escapes');
  if (url.startsWith('https://') || url.startsWith('ssh://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw DeployErrors.invalidUrl('not a URL');
    }
    const host = parsed.hostname;
    if (!HOST.test(host)) throw DeployErrors.invalidUrl('the host name is not valid');
    if (parsed.search || parsed.hash) throw DeployErrors.invalidUrl('no query or fragment');
    const path = parsed.pathname;
    if (path === '/' || path === '') throw DeployErrors.invalidUrl('it names no repository');
    checkPath(path, 'the path');
    if (parsed.protocol === 'https:') {
      // A token in the URL would be stored and shown as plain text: private repositories use ssh and a deploy key.
      if (parsed.username || parsed.password)
        throw DeployErrors.invalidUrl('no user or password in an https URL; use ssh and the deploy key');
      return 'https';
    }
    if (parsed.password) throw DeployErrors.invalidUrl('no password in an ssh URL; the deploy key signs in');
    if (parsed.username && !USER.test(parsed.username)) throw DeployErrors.invalidUrl('the user name is not valid');
    return 'ssh';
  }
  const scp = SCP_LIKE.exec(url);
  if (scp) {
    const [, user, host, path] = scp as unknown as [string, string, string, string];
    if (!USER.test(user)) throw DeployErrors.invalidUrl('the user name is not valid');
    if (!HOST.test(host)) throw DeployErrors.invalidUrl('the host name is not valid');
    checkPath(path, 'the path');
    return 'ssh';
  }
  if (url.startsWith('file://') || url.startsWith('/')) {
    if (!allowLocal) throw DeployErrors.invalidUrl('local repositories are not allowed on this server');
    const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
    if (!path.startsWith('/')) throw DeployErrors.invalidUrl('a local repository is an absolute path');
    checkPath(path, 'the path');
    return 'local';
  }
  throw DeployErrors.invalidUrl('use https://…, ssh://… or user@host:path');
}

/** git-check-ref-format(1) for a branch name, on a conservative character set. */
export function checkBranch(branch: string): void {
  if (branch.length === 0 || branch.length > 255) throw DeployErrors.invalidBranch('1 to 255 characters');
  if (!/^[A-Za-z0-9._/+-]+$/.test(branch)) throw DeployErrors.invalidBranch('letters, digits and . _ / + - only');
  if (branch.startsWith('-')) throw DeployErrors.invalidBranch('it may not start with "-"');
  if (branch.startsWith('/') || branch.endsWith('/') || branch.includes('//')) throw DeployErrors.invalidBranch('no empty part');
  if (branch.includes('..')) throw DeployErrors.invalidBranch('it may not contain ".."');
  if (branch.split('/').some((seg) => seg.startsWith('.') || seg.endsWith('.lock')))
    throw DeployErrors.invalidBranch('no part may start with "." or end with ".lock"');
  if (branch.endsWith('.')) throw DeployErrors.invalidBranch('it may not end with "."');
  if (branch === 'HEAD') throw DeployErrors.invalidBranch('name a branch, not HEAD');
}

/** A folder inside the release (`''`: the release itself), as `a/b` with no `.`/`..` parts. */
export function normaliseWebRoot(raw: string): string {
  const trimmed = raw.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  if (trimmed.length > 255) throw DeployErrors.invalidWebRoot('at most 255 characters');
  const parts = trimmed.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') throw DeployErrors.invalidWebRoot('no empty, "." or ".." parts');
    if (!/^[A-Za-z0-9._-]+$/.test(part)) throw DeployErrors.invalidWebRoot('letters, digits and . _ - only');
    if (part.startsWith('-')) throw DeployErrors.invalidWebRoot('no part may start with "-"');
  }
  return parts.join('/');
}

/** One command line (tabs allowed); empty means no build. */
export function normaliseBuildCommand(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  // eslint-disable-next-line no-control-regex -- one command line; tabs are fine
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(raw))
    throw DeployErrors.invalidBuildCommand('one line, without control characters');
  return raw;
}
