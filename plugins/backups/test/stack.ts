/**
 * The real stack a backups test runs on: accounts, websites, the NGINX driver (real nginx on a
 * free port, site users as root) and backups with real restic on a temporary repository.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { startTestHost, type TestHost, type TestPlugin } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import nginx from '@hostplane/plugin-webserver-nginx';
import backups from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees, type TestUser } from '../../accounts/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, removeUsers, systemMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { LOCAL_PASSWORD_SECRET } from '../src/services/repository.js';

export const RESTIC = '/usr/bin/restic';

/** Why these tests cannot run here (restic, nginx or php-fpm missing), or null. */
export function stackMissing(): string | null {
  try {
    accessSync(RESTIC, constants.X_OK);
  } catch {
    const reason = 'needs /usr/bin/restic (apt-get install restic)';
    if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
    return reason;
  }
  return systemMissing();
}

export type Caller = ReturnType<typeof caller>;

export async function startStack(
  t: Test,
  options: {
    packageLimit?: number;
    /** More limits of the stack's package (e.g. `databases`). */
    limits?: Record<string, number | null>;
    backupsFeature?: boolean;
    backups?: Record<string, unknown>;
    websites?: Record<string, unknown>;
    clock?: string;
    /** More plugins (databases and their drivers), started after backups' own. */
    plugins?: TestPlugin[];
    /** Their config, given the stack's temporary root (their daemons' folders go under it). */
    config?: (root: string) => Record<string, Record<string, unknown>>;
    /** Run after the host closed (stop the daemons those plugins left serving). */
    after?: (root: string) => Promise<void>;
  } = {},
) {
  const root = await tempRoot();
  const port = await freePort();
  const repository = path.join(root, 'backups', 'repository');
  const host: TestHost = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: websites, version: '0.1.0' },
      { definition: nginx, version: '0.1.0' },
      backups,
      ...(options.plugins ?? []),
    ],
    ...(options.clock ? { clock: options.clock } : {}),
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      // The platform's own nightly backup is platform-drill.test.ts's: moving the clock past 03:17 must not start one here.
      // resellerTargetHosts: the tests' SFTP and S3 servers are on this machine, which resellers may not use unless allowed.
      backups: { repository, concurrency: 2, platform: { schedule: '' }, resellerTargetHosts: ['127.0.0.1'], ...options.backups },
      ...(options.websites ? { websites: options.websites } : {}),
      ...options.config?.(root),
    },
  });
  const sql = sqlOf(host);
  const siteNames: string[] = [];
  t.teardown(async () => {
    await sql.destroy();
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await options.after?.(root);
    await assertNoDaemons(root);
    await removeUsers(siteNames);
    await rm(root, { recursive: true, force: true });
  });

  const trees = await twoTrees(sql);
  const admin = caller(host, trees.admin);
  const newPackage = async (limits: Record<string, number | null>, features: Record<string, unknown>) =>
    (
      await admin.post(
        '/v1/packages',
        packageBody({
          name: `Backed up ${randomUUID().slice(0, 6)}`,
          // Backup storage unlimited unless a test caps it.
          limits: { websites: 50, domains: 50, backup_storage_mb: null, ...limits },
          features: { php_versions: ['8.2'], ...features },
        }),
      )
    ).body;
  const pkg = await newPackage(
    { backups: options.packageLimit ?? 100, ...options.limits },
    { backups: options.backupsFeature ?? true },
  );
  /** A subscription of `user` to `packageId` (the stack's package by default). */
  const subscribe = async (user: TestUser, packageId: string = pkg.id) =>
    (await admin.post('/v1/subscriptions', { customerId: user.id, packageId, billingCycle: 'monthly' })).body.id as string;
  const subscriptions = { own: await subscribe(trees.customerA), foreign: await subscribe(trees.customerB) };

  let n = 0;
  const tag = randomUUID().slice(0, 6);
  /** A static site of customer A (own) or B (foreign), served and converged. */
  async function site(which: 'own' | 'foreign' | { subscriptionId: string } = 'own') {
    n += 1;
    const res = await admin.post('/v1/websites', {
      domain: `b${n}-${tag}.example.test`,
      kind: 'static',
      subscriptionId: typeof which === 'string' ? subscriptions[which] : which.subscriptionId,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    siteNames.push(res.body.name);
    const active = await eventually(async () => {
      const s = (await admin.get(`/v1/websites/${res.body.id}`)).body;
      if (s.status === 'error') throw new Error(`site in error: ${s.statusReason}`);
      return s.status === 'active' && s.converged ? s : undefined;
    }, 30_000);
    return {
      id: active.id as string,
      name: active.name as string,
      publicDir: active.documentRoot as string,
      dir: path.dirname(active.documentRoot as string),
    };
  }

  /** Wait for a backup (as `who` sees it) to reach a final state. */
  async function finished(who: Caller, id: string, timeoutMs = 60_000) {
    return eventually(async () => {
      const b = (await who.get(`/v1/backups/${id}`)).body;
      return b.status === 'succeeded' || b.status === 'failed' ? b : undefined;
    }, timeoutMs);
  }

  async function restored(who: Caller, id: string, timeoutMs = 60_000) {
    return eventually(async () => {
      const r = (await who.get(`/v1/backups/restores/${id}`)).body;
      return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
    }, timeoutMs);
  }

  /** The repository password as the plugin sealed it, opened with the platform key (what key-export prints). */
  async function password(): Promise<string> {
    const row = await sql('hostplane.settings').where({ scope: 'secret:backups', key: LOCAL_PASSWORD_SECRET }).first('value');
    return host.kernel.secrets.decrypt('plugin-secret', `backups\0${LOCAL_PASSWORD_SECRET}`, row.value.$hostplaneSecret);
  }

  /** Plain restic on the repository, as an admin with the escrowed password would run it. */
  async function restic(args: string[]): Promise<string> {
    return execFileSync(RESTIC, args, {
      env: {
        PATH: process.env.PATH,
        HOME: '/root',
        RESTIC_REPOSITORY: repository,
        RESTIC_PASSWORD: await password(),
        RESTIC_CACHE_DIR: path.join(root, 'test-cache'),
      },
      encoding: 'utf8',
      // A database dump is tens of MB.
      maxBuffer: 256 * 1024 * 1024,
    });
  }

  return {
    host,
    sql,
    root,
    repository,
    trees,
    admin,
    pkg,
    newPackage,
    subscribe,
    subscriptions,
    site,
    finished,
    restored,
    password,
    restic,
    caller: (u: TestUser) => caller(host, u),
  };
}
