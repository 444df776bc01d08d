/**
 * Site users made by two makers at once (two Hostplane processes, the CLI beside the server):
 * each site gets a uid of its own and a group of its own with the same id. The second maker
 * here is a second SiteUsers in this process, which reads the files and picks ids exactly as
 * another process would.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { SiteUsers, SITE_ID_MAX, SITE_ID_MIN } from '../src/services/users.js';
import { isRoot, removeUsers } from './helpers.js';

const newusers = await fs.access('/usr/sbin/newusers').then(
  () => true,
  () => false,
);
if (!newusers && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1')
  throw new Error('HOSTPLANE_REQUIRE_SYSTEM=1 but newusers is missing (passwd)');

t.test(
  'two makers at once: every site its own uid and its own group',
  { skip: (!isRoot && 'needs root to create users') || (!newusers && 'needs newusers (passwd package)') },
  async (t) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-site-users-'));
    const tags = ['ua' + Math.random().toString(36).slice(2, 4), 'ub' + Math.random().toString(36).slice(2, 4)];
    const names = Array.from({ length: 4 }, (_, i) => `pair${i}-${process.pid}`);
    t.teardown(async () => {
      await removeUsers(names);
      await fs.rm(dir, { recursive: true, force: true });
    });
    const makers = tags.map((tag) => new SiteUsers('per-site', null, tag));
    const results = await Promise.all(
      makers.map((m) => m.ensureMany(names.map((n) => ({ siteName: n, siteDir: path.join(dir, m.tag, n) })))),
    );
    const groups = new Map(
      (await fs.readFile('/etc/group', 'utf8'))
        .split('\n')
        .map((l) => l.split(':'))
        .map((f) => [f[0], Number(f[2])] as const),
    );
    const uids = new Set<number>();
    for (const [i, result] of results.entries()) {
      for (const n of names) {
        const owner = result.get(n);
        if (!owner || owner instanceof Error) {
          t.fail(`${n} (${tags[i]}): ${String(owner)}`);
          continue;
        }
        t.ok(owner.uid >= SITE_ID_MIN && owner.uid <= SITE_ID_MAX, `${owner.user}: uid ${owner.uid} in the band`);
        t.equal(owner.gid, owner.uid, `${owner.user}: gid is its uid`);
        t.equal(groups.get(owner.user as string), owner.uid, `${owner.user}: a group of its own name and id`);
        uids.add(owner.uid);
      }
    }
    t.equal(uids.size, names.length * makers.length, 'no two sites share a uid');
  },
);
