/**
 * What reaches git and the webhook checks, without a host: repository URLs (option injection,
 * transports that run programs, credentials), branch names, web roots, build commands, and the
 * signatures and payloads of GitHub, Gitea and GitLab.
 */
import { createHmac } from 'node:crypto';
import t from 'tap';
import { HostplaneError } from '@hostplane/sdk';
import { parsePush, verify } from '../src/services/webhooks.js';
import { checkBranch, checkRepositoryUrl, normaliseBuildCommand, normaliseWebRoot } from '../src/validate.js';

const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof HostplaneError ? err.code : String(err);
  }
};

t.test('repository URLs', async (t) => {
  for (const [url, kind] of [
    ['https://github.com/owner/repo.git', 'https'],
    ['https://git.example.com:8443/group/sub/repo', 'https'],
    ['ssh://git@github.com/owner/repo.git', 'ssh'],
    ['ssh://git@git.example.com:2222/owner/repo.git', 'ssh'],
    ['git@github.com:owner/repo.git', 'ssh'],
    ['deploy@git.example.com:~/repos/site.git', 'ssh'],
  ] as const) {
    t.equal(checkRepositoryUrl(url, false), kind, url);
  }
  t.equal(checkRepositoryUrl('file:///srv/git/site.git', true), 'local');
  t.equal(checkRepositoryUrl('/srv/git/site.git', true), 'local');
  for (const url of [
    '',
    '--upload-pack=touch /tmp/x',
    '-u',
    'ext::sh -c touch% /tmp/x',
    'fd::3',
    'git::https://x/y',
    'ssh://-oProxyCommand=touch/x',
    'ssh://git@-oProxyCommand=x/y',
    'ssh://git@host/--upload-pack=x',
    'git@host:-oProxyCommand=x',
    'git@host:repo/-x',
    '-oProxyCommand=x@host:repo',
    'http://git.example.com/r.git',
    'git://git.example.com/r.git',
    'https://user:pass@git.example.com/r.git',
    'https://token@git.example.com/r.git',
    'ssh://git:pass@host/r.git',
    'https://git.example.com/',
    'https://git.example.com/r.git?x=1',
    'https://git.example.com/a/../b',
    'https://git.example.com/a%20b',
    'https://git.example.com/a\nb',
    'https://bad_host.example/r',
    'file:///srv/git/site.git',
    '/srv/git/site.git',
    'relative/path.git',
    `https://git.example.com/${'a'.repeat(1100)}`,
  ]) {
    t.equal(
      codeOf(() => checkRepositoryUrl(url, false)),
      'DEPLOY_ERR_INVALID_URL',
      JSON.stringify(url).slice(0, 80),
    );
  }
  t.equal(
    codeOf(() => checkRepositoryUrl('file://relative', true)),
    'DEPLOY_ERR_INVALID_URL',
  );
  t.equal(
    codeOf(() => checkRepositoryUrl('file:///srv/--upload-pack=x', true)),
    'DEPLOY_ERR_INVALID_URL',
  );
});

t.test('branches', async (t) => {
  for (const b of ['main', 'release/2026.12', 'feature/x_y-z', 'v1+build'])
    t.equal(
      codeOf(() => checkBranch(b)),
      null,
      b,
    );
  for (const b of [
    '',
    '-b',
    '--upload-pack=x',
    'a..b',
    'a//b',
    '/a',
    'a/',
    '.hidden',
    'a/.b',
    'x.lock',
    'a.',
    'HEAD',
    'a b',
    'a@{1}',
    'a~1',
    'a^',
    'a:b',
    'a\\b',
    'é',
    'b'.repeat(256),
  ]) {
    t.equal(
      codeOf(() => checkBranch(b)),
      'DEPLOY_ERR_INVALID_BRANCH',
      JSON.stringify(b).slice(0, 40),
    );
  }
});

t.test('web roots and build commands', async (t) => {
  t.equal(normaliseWebRoot(''), '');
  t.equal(normaliseWebRoot('/dist/'), 'dist');
  t.equal(normaliseWebRoot('build/site'), 'build/site');
  for (const w of ['..', '../x', 'a/../b', 'a/./b', 'a//b', '-x', 'a b', 'x'.repeat(300)]) {
    t.equal(
      codeOf(() => normaliseWebRoot(w)),
      'DEPLOY_ERR_INVALID_WEB_ROOT',
      w.slice(0, 40),
    );
  }
  t.equal(normaliseBuildCommand('  '), null);
  t.equal(normaliseBuildCommand(null), null);
  t.equal(normaliseBuildCommand('npm ci\t&& npm run build'), 'npm ci\t&& npm run build');
  t.equal(
    codeOf(() => normaliseBuildCommand('a\nb')),
    'DEPLOY_ERR_INVALID_BUILD_COMMAND',
  );
  t.equal(
    codeOf(() => normaliseBuildCommand('a\rb')),
    'DEPLOY_ERR_INVALID_BUILD_COMMAND',
  );
});

t.test('webhook signatures and pushes', async (t) => {
  const secret = 's3cret';
  const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'c'.repeat(40) }));
  const sig = createHmac('sha256', secret).update(body).digest('hex');
  t.equal(verify({ 'x-hub-signature-256': `sha256=${sig}` }, body, secret), 'github');
  t.equal(verify({ 'x-gitea-signature': sig }, body, secret), 'gitea');
  t.equal(verify({ 'x-gitlab-token': secret }, body, secret), 'gitlab');
  for (const headers of [
    {},
    { 'x-hub-signature-256': sig },
    { 'x-hub-signature-256': `sha256=${sig.slice(0, 63)}` },
    { 'x-hub-signature-256': `sha1=${sig}` },
    { 'x-gitea-signature': `${sig}00` },
    { 'x-gitlab-token': '' },
    { 'x-gitlab-token': 's3cre' },
  ]) {
    t.equal(
      codeOf(() => verify(headers, body, secret)),
      'DEPLOY_ERR_BAD_SIGNATURE',
      JSON.stringify(headers),
    );
  }
  const push = parsePush('github', { 'x-github-event': 'push', 'x-github-delivery': 'abc-1' }, body);
  t.same(push, {
    provider: 'github',
    event: 'push',
    isPush: true,
    branch: 'main',
    after: 'c'.repeat(40),
    deliveryId: 'github:abc-1',
  });
  const form = Buffer.from(`payload=${encodeURIComponent(body.toString('utf8'))}`);
  t.equal(parsePush('github', { 'x-github-event': 'push' }, form).branch, 'main', 'a form-encoded payload');
  t.equal(parsePush('gitlab', { 'x-gitlab-event': 'Push Hook' }, body).isPush, true);
  t.equal(parsePush('gitlab', { 'x-gitlab-event': 'Tag Push Hook' }, body).isPush, false);
  t.equal(parsePush('gitea', { 'x-gitea-event': 'push', 'x-gitea-delivery': 'bad id with spaces' }, body).deliveryId, null);
  t.equal(parsePush('github', { 'x-github-event': 'push' }, Buffer.from(JSON.stringify({ ref: 'refs/tags/v1' }))).branch, null);
  t.equal(
    codeOf(() => parsePush('github', { 'x-github-event': 'push' }, Buffer.from('[]'))),
    'DEPLOY_ERR_BAD_PAYLOAD',
  );
  t.equal(
    codeOf(() => parsePush('github', { 'x-github-event': 'push' }, Buffer.from('{'))),
    'DEPLOY_ERR_BAD_PAYLOAD',
  );
});
