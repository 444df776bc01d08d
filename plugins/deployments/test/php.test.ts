/**
 * A PHP site deployed from Git, served by the real NGINX and PHP-FPM: the new release's PHP runs
 * at once after each switch (no stale script from PHP's caches of resolved paths), and PHP's
 * `open_basedir` follows the link to the live release's web root.
 */
import t from 'tap';
import { finished, startStack, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t);
  const own = stack.caller(stack.trees.customerA);
  const site = await stack.site('own', 'php');
  const repo = await stack.repo(site.dir);
  const base = `/v1/websites/${site.id}/deployments`;
  const PAGE = `<?php
$above = @file_get_contents(__DIR__ . '/../secret.txt');
echo trim(file_get_contents(__DIR__ . '/version.txt')), ' ', $above === false ? 'above-blocked' : 'above-read';
`;
  const deploy = async () => {
    const res = await own.post(base);
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    return finished(own, site.id, res.body.id as string);
  };

  t.test('each deploy’s PHP runs right after its switch', async (t) => {
    await repo.commit({ 'web/index.php': PAGE, 'web/version.txt': 'v1', 'secret.txt': 'not served' });
    t.equal(
      (await own.call('PUT', `${base}/connection`, { repositoryUrl: repo.url, branch: 'main', webRoot: 'web' })).status,
      200,
    );
    t.equal((await deploy()).status, 'succeeded');
    t.equal((await stack.serve(site.domain, '/index.php')).body, 'v1 above-blocked', 'open_basedir is the live web root');
    for (const v of ['v2', 'v3']) {
      await repo.commit({ 'web/version.txt': v, 'web/index.php': `${PAGE}echo ' ${v}';` });
      t.equal((await deploy()).status, 'succeeded');
      t.equal((await stack.serve(site.domain, '/index.php')).body, `${v} above-blocked ${v}`, `${v} served at once`);
    }
  });
}
