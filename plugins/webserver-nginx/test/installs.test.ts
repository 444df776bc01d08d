/**
 * Two installs on one machine (two roots) never share a site user: each root has its own tag in
 * its users' names (`hp<tag>-<name>`), kept across restarts. A root from before tags, whose
 * state already records sites, keeps its `hp-<name>` users.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { lookupUser } from '../src/services/users.js';
import { fileDriver, get, isRoot, makeDriver, site, systemMissing } from './helpers.js';

const missing = systemMissing() ?? (isRoot ? null : 'per-site users need root');
if (missing) {
  t.plan(0, missing);
} else {
  t.test('the same site name on two installs runs as two users; removing one leaves the other', async (t) => {
    const one = await fileDriver(t);
    const two = await fileDriver(t);
    const n = one.name('twin');
    // `one` removes the users of every install for its names at teardown.
    t.equal((await one.driver.start()).state, 'ready');
    t.equal((await two.driver.start()).state, 'ready');
    const [a, b] = [await one.driver.apply(site(n)), await two.driver.apply(site(n))];
    const [ua, ub] = [(await fs.stat(a.documentRoot)).uid, (await fs.stat(b.documentRoot)).uid];
    t.not(ua, ub, 'each install has its own user');
    t.not(one.driver.siteUser(n), two.driver.siteUser(n));
    t.match(one.driver.siteUser(n), /^hp[a-z0-9]{4}-twin-/);

    await one.driver.remove({ id: '', name: n });
    t.equal(await lookupUser(one.driver.siteUser(n) as string), null, "the first install's user is gone");
    t.equal((await lookupUser(two.driver.siteUser(n) as string))?.uid, ub, "the second install's user stays");
    t.equal((await get(two.port, `${n}.localhost`)).status, 200, 'and its site still answers');
  });

  t.test('the tag survives a restart; a root from before tags keeps hp-<name>', async (t) => {
    const first = await fileDriver(t);
    await first.driver.start();
    const tag = await fs.readFile(path.join(first.root, 'state', 'install-tag'), 'utf8');
    await first.driver.stop();
    const again = await makeDriver({ root: first.root, httpPort: first.port });
    await again.start();
    t.equal(await fs.readFile(path.join(first.root, 'state', 'install-tag'), 'utf8'), tag, 'same tag after a restart');
    await again.stop();

    // An install that recorded sites before tags existed: no tag file, a site in state/.
    const old = await fileDriver(t);
    const n = old.name('legacy');
    await fs.mkdir(path.join(old.root, 'state'), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(old.root, 'state', `${n}.json`), JSON.stringify(site(n)));
    await old.driver.start();
    await old.driver.whenRecovered();
    t.equal(old.driver.siteUser(n), `hp-${n}`, 'the old name, so its existing user goes on serving');
    t.ok(await lookupUser(`hp-${n}`));
    t.equal((await get(old.port, `${n}.localhost`)).status, 200);
  });
}
