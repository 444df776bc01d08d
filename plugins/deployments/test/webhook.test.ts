/**
 * Push webhooks, posted to the host like a Git host would: GitHub (`X-Hub-Signature-256`),
 * Gitea (`X-Gitea-Signature`) and GitLab (`X-Gitlab-Token`) signed with the site's secret
 * deploy a push to the connected branch; a wrong or missing signature is 401 with nothing
 * queued; other branches, tags and pings queue nothing; a delivery retried deploys once.
 * Also what a connection refuses: foreign sites, bad branches and URLs (option injection), NUL
 * bytes, huge values.
 */
import { createHmac } from 'node:crypto';
import t from 'tap';
import { eventually } from '../../websites/test/helpers.js';
import { finished, startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t);
  const own = stack.caller(stack.trees.customerA);
  const site = await stack.site('own');
  const repo = await stack.repo(site.dir);
  const base = `/v1/websites/${site.id}/deployments`;
  await repo.commit({ 'index.html': 'pushed one' });
  const connected = await own.call('PUT', `${base}/connection`, { repositoryUrl: repo.url, branch: 'main' });
  let secret = connected.body.webhookSecret as string;
  const hookPath = connected.body.webhookPath as string;
  const count = async () =>
    Number((await stack.sql('plugin_deployments.deployments').where({ website_id: site.id }).count({ n: '*' }))[0]!.n);
  const post = async (headers: Record<string, string>, body: string, url = hookPath) => {
    const res = await stack.host.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });
    // Answers are checked by the assertions that read them, not by types.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { statusCode: res.statusCode, body: res.body, json: () => JSON.parse(res.body) as Record<string, any> };
  };
  const hmac = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');
  const push = (branch: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ ref: `refs/heads/${branch}`, after: 'a'.repeat(40), repository: { name: 'x' }, ...extra });
  let n = 0;
  const delivery = () => `d-${Date.now()}-${(n += 1)}`;

  t.test('GitHub: a signed push to the branch deploys; the same delivery again deploys once', async (t) => {
    const body = push('main');
    const headers = {
      'x-github-event': 'push',
      'x-github-delivery': delivery(),
      'x-hub-signature-256': `sha256=${hmac(secret, body)}`,
    };
    const res = await post(headers, body);
    t.equal(res.statusCode, 202, res.body);
    const answer = res.json();
    t.equal(answer.deployed, true);
    const done = await finished(own, site.id, answer.deploymentId);
    t.equal(done.status, 'succeeded', done.log);
    t.equal(done.trigger, 'webhook');
    t.equal((await stack.serve(site.domain)).body, 'pushed one');
    const before = await count();
    const again = await post(headers, body);
    t.equal(again.statusCode, 200);
    t.equal(again.json().duplicate, true);
    t.equal(again.json().deploymentId, answer.deploymentId);
    t.equal(await count(), before, 'nothing new queued');
  });

  t.test('Gitea and GitLab pushes deploy', async (t) => {
    await repo.commit({ 'index.html': 'pushed two' });
    const body = push('main');
    const gitea = await post(
      { 'x-gitea-event': 'push', 'x-gitea-delivery': delivery(), 'x-gitea-signature': hmac(secret, body) },
      body,
    );
    t.equal(gitea.statusCode, 202, gitea.body);
    t.equal((await finished(own, site.id, gitea.json().deploymentId)).status, 'succeeded');
    t.equal((await stack.serve(site.domain)).body, 'pushed two');
    const gitlab = await post(
      { 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': delivery(), 'x-gitlab-token': secret },
      body,
    );
    t.equal(gitlab.statusCode, 202, gitlab.body);
    t.equal((await finished(own, site.id, gitlab.json().deploymentId)).status, 'succeeded');
  });

  t.test('wrong or missing signatures are 401 and queue nothing', async (t) => {
    const before = await count();
    const body = push('main');
    const unsigned: Array<Record<string, string>> = [
      { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac('not the secret', body)}` },
      { 'x-github-event': 'push', 'x-hub-signature-256': hmac(secret, body) },
      { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(secret, `${body} `)}` },
      { 'x-gitea-event': 'push', 'x-gitea-signature': 'zz' },
      { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': `${secret}x` },
      { 'x-github-event': 'push' },
    ];
    for (const headers of unsigned) {
      const res = await post(headers, body);
      t.equal(res.statusCode, 401, JSON.stringify(headers));
      t.equal(res.json().error.code, 'DEPLOY_ERR_BAD_SIGNATURE');
    }
    const unknown = await post(
      { 'x-gitlab-token': secret, 'x-gitlab-event': 'Push Hook' },
      body,
      '/v1/deployments/hooks/00000000-0000-4000-8000-000000000000',
    );
    t.equal(unknown.statusCode, 404);
    t.equal((await post({}, body, '/v1/deployments/hooks/not-a-uuid')).statusCode, 400);
    t.equal(await count(), before, 'nothing queued');
  });

  t.test('other branches, tags, deleted branches and pings queue nothing', async (t) => {
    const before = await count();
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'x-github-event': 'push' }, push('develop')],
      [{ 'x-github-event': 'push' }, JSON.stringify({ ref: 'refs/tags/v1', after: 'b'.repeat(40) })],
      [{ 'x-github-event': 'push' }, push('main', { after: '0'.repeat(40) })],
      [{ 'x-github-event': 'ping' }, JSON.stringify({ zen: 'hi' })],
    ];
    for (const [headers, body] of cases) {
      const res = await post(
        { ...headers, 'x-github-delivery': delivery(), 'x-hub-signature-256': `sha256=${hmac(secret, body)}` },
        body,
      );
      t.equal(res.statusCode, 200, res.body);
      t.equal(res.json().deployed, false);
      t.type(res.json().reason, 'string');
    }
    const bad = 'not json';
    const res = await post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(secret, bad)}` }, bad);
    t.equal(res.statusCode, 400);
    t.equal(await count(), before);
  });

  t.test('a rotated secret replaces the old one at once', async (t) => {
    const rotated = await own.post(`${base}/connection/webhook-secret`);
    t.equal(rotated.status, 200);
    const body = push('develop');
    const old = await post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(secret, body)}` }, body);
    t.equal(old.statusCode, 401);
    secret = rotated.body.webhookSecret;
    const fresh = await post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(secret, body)}` }, body);
    t.equal(fresh.statusCode, 200);
  });

  t.test('a connection refuses option injection, bad names, NUL bytes and huge values', async (t) => {
    const url = `${base}/connection`;
    const good = { repositoryUrl: 'https://git.example.test/owner/repo.git', branch: 'main' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, repositoryUrl: '--upload-pack=touch /tmp/pwned' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: '-uhttps://x/y' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: 'ext::sh -c touch% /tmp/pwned' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: 'ssh://-oProxyCommand=touch%20/tmp/pwned/x' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: 'git@-oProxyCommand=x:repo' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: 'git@host:--upload-pack=x' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: 'http://git.example.test/r.git' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: 'https://user:token@git.example.test/r.git' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, repositoryUrl: 'https://git.example.test/a b' }, 'DEPLOY_ERR_INVALID_URL'],
      [{ ...good, branch: '--upload-pack=touch /tmp/pwned' }, 'DEPLOY_ERR_INVALID_BRANCH'],
      [{ ...good, branch: '-b' }, 'DEPLOY_ERR_INVALID_BRANCH'],
      [{ ...good, branch: 'a..b' }, 'DEPLOY_ERR_INVALID_BRANCH'],
      [{ ...good, branch: 'a b' }, 'DEPLOY_ERR_INVALID_BRANCH'],
      [{ ...good, branch: 'x.lock' }, 'DEPLOY_ERR_INVALID_BRANCH'],
      [{ ...good, branch: 'a@{1}' }, 'DEPLOY_ERR_INVALID_BRANCH'],
      [{ ...good, webRoot: '../etc' }, 'DEPLOY_ERR_INVALID_WEB_ROOT'],
      [{ ...good, webRoot: 'a/./b' }, 'DEPLOY_ERR_INVALID_WEB_ROOT'],
      [{ ...good, buildCommand: 'make\nrm -rf /' }, 'DEPLOY_ERR_INVALID_BUILD_COMMAND'],
      [{ ...good, keepReleases: 50 }, 'DEPLOY_ERR_KEEP_TOO_MANY'],
      // The host refuses NUL in any string before the route sees it.
      [{ ...good, branch: 'ma\u0000in' }, 'HOST_ERR_VALIDATION'],
      [{ ...good, repositoryUrl: 'https://git.example.test/r\u0000.git' }, 'HOST_ERR_VALIDATION'],
      [{ ...good, repositoryUrl: `https://git.example.test/${'a'.repeat(2000)}` }, 'HOST_ERR_VALIDATION'],
      [{ ...good, buildCommand: 'x'.repeat(5000) }, 'HOST_ERR_VALIDATION'],
      [{ ...good, branch: 'b'.repeat(300) }, 'HOST_ERR_VALIDATION'],
      [{ ...good, extra: 1 }, 'HOST_ERR_VALIDATION'],
      [{ branch: 'main' }, 'HOST_ERR_VALIDATION'],
    ];
    for (const [body, code] of cases) {
      const res = await own.call('PUT', url, body);
      t.equal(res.status, 400, JSON.stringify(body).slice(0, 120));
      t.equal(res.body.error?.code, code, JSON.stringify(res.body).slice(0, 300));
    }
    // Local repositories only where the admin allows them (this stack does): a relative path never.
    t.equal((await own.call('PUT', url, { ...good, repositoryUrl: 'repo.git' })).body.error.code, 'DEPLOY_ERR_INVALID_URL');
    const ok = await own.call('PUT', url, {
      ...good,
      branch: 'release/2026.12',
      webRoot: '/public/',
      buildCommand: 'npm ci && npm run build',
    });
    t.equal(ok.status, 200, JSON.stringify(ok.body));
    t.equal(ok.body.webRoot, 'public');
    t.equal(ok.body.webhookSecret, null, 'a change shows no secret');
  });

  t.test('an ssh repository gets a deploy key whose public half is shown', async (t) => {
    const res = await own.call('PUT', `${base}/connection`, {
      repositoryUrl: 'git@git.example.test:owner/repo.git',
      branch: 'main',
    });
    t.equal(res.status, 200, JSON.stringify(res.body));
    t.match(res.body.deployKey, /^ssh-ed25519 [A-Za-z0-9+/=]+ hostplane-deploy-/);
    const again = await own.call('PUT', `${base}/connection`, {
      repositoryUrl: 'ssh://git@git.example.test:2222/owner/repo.git',
      branch: 'main',
    });
    t.equal(again.body.deployKey, res.body.deployKey, 'the same key until disconnected');
    t.notMatch(JSON.stringify(again.body), /PRIVATE KEY/);
  });

  t.test('a suspended site is not deployed to', async (t) => {
    t.equal((await stack.admin.post(`/v1/websites/${site.id}/suspend`, {})).status, 200);
    const res = await own.post(base);
    t.equal(res.status, 409);
    t.equal(res.body.error.code, 'DEPLOY_ERR_SITE_NOT_ACTIVE');
    const body = push('main');
    const hook = await post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(secret, body)}` }, body);
    t.equal(hook.statusCode, 200);
    t.match(hook.json().reason, /not active/);
    t.equal((await stack.admin.post(`/v1/websites/${site.id}/unsuspend`, {})).status, 200);
    // The web server re-applies the site over a public/ that is now a link: it serves the release again.
    await eventually(async () => {
      const s = (await stack.admin.get(`/v1/websites/${site.id}`)).body;
      return s.status === 'active' && s.converged ? true : undefined;
    }, 30_000);
    t.equal((await stack.serve(site.domain)).body, 'pushed two');
  });

  t.test('foreign sites read as missing; disconnect removes the hook', async (t) => {
    const foreign = await stack.site('foreign');
    const f = `/v1/websites/${foreign.id}/deployments`;
    t.equal((await own.get(f)).status, 404);
    t.equal((await own.post(f)).status, 404);
    t.equal((await own.call('PUT', `${f}/connection`, { repositoryUrl: repo.url, branch: 'main' })).status, 404);
    t.equal((await own.get(`${base}/00000000-0000-4000-8000-000000000000`)).status, 404);
    t.equal((await own.del(`${base}/connection`)).status, 204);
    t.equal((await own.get(`${base}/connection`)).body.error.code, 'DEPLOY_ERR_NOT_CONNECTED');
    t.equal((await own.post(base)).status, 404);
    const body = push('main');
    t.equal(
      (await post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(secret, body)}` }, body)).statusCode,
      404,
    );
  });

  // Secrets live in the core settings table under the plugin's scope (core/src/secrets).
  const secretsOf = async (websiteId: string) =>
    ((await stack.sql('hostplane.settings').where({ scope: 'secret:deployments' }).pluck('key')) as string[])
      .filter((k) => k.endsWith(websiteId))
      .sort();

  t.test('disconnecting deletes the deploy key and the webhook secret, once', async (t) => {
    const other = await stack.site('own');
    const url = `/v1/websites/${other.id}/deployments/connection`;
    t.equal((await own.call('PUT', url, { repositoryUrl: 'git@git.example.test:o/r.git', branch: 'main' })).status, 200);
    t.same(await secretsOf(other.id), [`hook:${other.id}`, `key:${other.id}`], 'a webhook secret and a deploy key');
    t.equal((await own.del(url)).status, 204);
    t.same(await secretsOf(other.id), [], 'both deleted');
    const again = await own.del(url);
    t.equal(again.status, 404);
    t.equal(again.body.error.code, 'DEPLOY_ERR_NOT_CONNECTED');
    t.equal((await own.del('/v1/websites/not-a-uuid/deployments/connection')).status, 400, 'a malformed id');
  });

  t.test('deleting the website forgets its connection, secrets and history', async (t) => {
    const other = await stack.site('own');
    const url = `/v1/websites/${other.id}/deployments`;
    t.equal(
      (await own.call('PUT', `${url}/connection`, { repositoryUrl: 'git@git.example.test:o/r.git', branch: 'main' })).status,
      200,
    );
    t.equal((await own.post(url)).status, 202);
    t.same(await secretsOf(other.id), [`hook:${other.id}`, `key:${other.id}`], 'a webhook secret and a deploy key');
    t.equal((await stack.admin.del(`/v1/websites/${other.id}`)).status, 202);
    const left = async (table: string) =>
      Number((await stack.sql(`plugin_deployments.${table}`).where({ website_id: other.id }).count({ n: '*' }))[0]!.n);
    await eventually(
      async () => ((await left('connections')) + (await left('deployments')) === 0 ? true : undefined),
      60_000,
      200,
    );
    t.same(await secretsOf(other.id), [], 'its secrets are deleted');
  });
}
