/**
 * Operator commands (`hostplane backups …`). The key escrow: `key-export` prints where the
 * repository is and its password, `recovery-key` adds a second restic key whose password is
 * printed once and stored nowhere. Either opens the repository with plain restic after the
 * platform's database (and with it the sealed password) is lost: see README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CommonErrors, type CommandDefinition, type SecretsService } from '@hostplane/sdk';
import { BackupsErrors } from './errors.js';
import { describe, type Restic } from './restic/restic.js';
import type { Repositories } from './services/repository.js';
import type { BackupsService } from './services/backups-service.js';
import type { BackupRow, BackupStore } from './store.js';
import { platformBackupView, type PlatformBackups } from './services/platform.js';

export interface CommandDeps {
  repos: Repositories;
  restic: () => Restic;
  store: BackupStore;
  service: BackupsService;
}

export function keyExportCommand<C, D>({ repos }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'key-export',
    description: 'Print the repository and its password (key escrow: keep the output offline, e.g. in a safe)',
    usage: '',
    async run(args, io) {
      if (args.length) {
        io.err('usage: hostplane backups key-export\n');
        return 2;
      }
      const repo = await repos.local();
      io.out(`# Hostplane backups repository (restic). Keep this offline; it opens every backup.\n`);
      io.out(`RESTIC_REPOSITORY=${repo.location}\n`);
      io.out(`RESTIC_PASSWORD=${repo.password}\n`);
      const { sftp } = repos.config();
      if (repo.location.startsWith('sftp:'))
        io.out(`# SFTP: add  -o sftp.command='ssh -i <your key> -p ${sftp.port} ${sftp.user}@${sftp.host} -s sftp'  to restic\n`);
      io.out(`# Restore without Hostplane: RESTIC_REPOSITORY=… RESTIC_PASSWORD=… restic snapshots --tag site:<website id>\n`);
      return 0;
    },
  };
}

/**
 * After a rebuild without the old database: take the escrowed password (from the environment,
 * never the command line) as the repository's, once restic confirms it opens the repository.
 */
export function keyImportCommand<C, D>({
  repos,
  restic,
  secrets,
}: CommandDeps & { secrets: SecretsService }): CommandDefinition<C, D> {
  return {
    name: 'key-import',
    description: 'Take the escrowed password (RESTIC_PASSWORD in the environment) as the repository password',
    usage: '',
    async run(args, io) {
      const password = process.env.RESTIC_PASSWORD;
      if (args.length || !password) {
        io.err('usage: RESTIC_PASSWORD=<escrowed password> hostplane backups key-import\n');
        return 2;
      }
      const location = repos.location();
      const probe = await restic().run(await repos.withPassword(password), ['cat', 'config']);
      if (probe.code !== 0)
        throw BackupsErrors.restic('cat config', `the password does not open ${location}: ${describe(probe)}`);
      await secrets.set(repos.secretName(), password);
      io.out(`The repository password of ${location} is set.\n`);
      return 0;
    },
  };
}

export function recoveryKeyCommand<C, D>({ repos, restic }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'recovery-key',
    description: 'Add a recovery key to the repository and print its password once (it is stored nowhere)',
    usage: '',
    async run(args, io) {
      if (args.length) {
        io.err('usage: hostplane backups recovery-key\n');
        return 2;
      }
      const repo = await repos.local();
      const password = randomBytes(24).toString('base64url');
      // restic reads the new password from a file; a private temporary folder, removed at once.
      const dir = await mkdtemp(path.join(os.tmpdir(), 'hp-backups-key-'));
      try {
        const file = path.join(dir, 'new');
        await writeFile(file, password, { mode: 0o600 });
        await restic().ok(repo, ['key', 'add', '--new-password-file', file]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      io.out(`Recovery key added to ${repo.location}.\n`);
      io.out(`Password (shown once, write it down): ${password}\n`);
      io.out(`Use: RESTIC_REPOSITORY=${repo.location} RESTIC_PASSWORD='<password>' restic snapshots\n`);
      return 0;
    },
  };
}

export function listCommand<C, D>({ store }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'list',
    description: 'List backups, newest first (--website <id> for one site)',
    usage: '[--website <id>] [--json]',
    async run(args, io) {
      const at = args.indexOf('--website');
      const website = at >= 0 ? args[at + 1] : undefined;
      if (at >= 0 && !website) {
        io.err('usage: hostplane backups list [--website <id>] [--json]\n');
        return 2;
      }
      const q = store.backups().orderBy('created_at', 'desc').limit(200);
      if (website) q.where({ website_id: website });
      const rows = (await q) as BackupRow[];
      if (args.includes('--json')) {
        io.out(
          `${JSON.stringify(rows.map((r) => ({ id: r.id, website: r.site_name, status: r.status, snapshot: r.snapshot_id, sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes), createdAt: r.created_at })))}\n`,
        );
        return 0;
      }
      for (const r of rows) {
        io.out(
          `${r.id}\t${r.site_name}\t${r.status}\t${r.snapshot_id?.slice(0, 8) ?? '-'}\t${r.size_bytes ?? '-'}\t${r.created_at.toISOString()}\n`,
        );
      }
      return 0;
    },
  };
}

export function createCommand<C, D>({ store, service }: CommandDeps): CommandDefinition<C, D> {
  const usage = 'usage: hostplane backups create <website id> | --customer <customer id>\n';
  const uuid = /^[0-9a-f-]{36}$/i;
  return {
    name: 'create',
    description: 'Back up a website, or every website of a customer, now (a running host does the work)',
    usage: '<website id> | --customer <customer id>',
    async run(args, io) {
      if (args[0] === '--customer') {
        const customer = args[1];
        if (!customer || args.length !== 2 || !uuid.test(customer)) {
          io.err(usage);
          return 2;
        }
        const { items, skipped } = await service.createForCustomer(customer, { actorId: null });
        for (const row of items) io.out(`backup ${row.id} of ${row.site_name} queued\n`);
        for (const s of skipped) io.out(`${s.site.name} skipped: ${s.code} ${s.message}\n`);
        return 0;
      }
      const [id] = args;
      if (!id || args.length !== 1 || !uuid.test(id)) {
        io.err(usage);
        return 2;
      }
      const site = await store.site(id);
      if (!site) throw CommonErrors.badRequest(`no website ${id}`, undefined);
      const row = await service.create(site, 'manual', { actorId: null });
      io.out(`backup ${row.id} of ${site.domain} queued\n`);
      return 0;
    },
  };
}

/**
 * `hostplane backups platform [--list]`: queue a backup of the platform itself (a running host
 * does the work), or list the platform backups with their snapshots.
 */
export function platformCommand<C, D>({ platform }: { platform: PlatformBackups }): CommandDefinition<C, D> {
  return {
    name: 'platform',
    description: 'Back the platform up now (its database and secret key), or --list its backups',
    usage: '[--list [--json]]',
    async run(args, io) {
      if (args.length === 0) {
        const row = await platform.create('manual', { actorId: null });
        io.out(`platform backup ${row.id} queued\n`);
        return 0;
      }
      if (args[0] !== '--list' || args.length > 2 || (args[1] !== undefined && args[1] !== '--json')) {
        io.err('usage: hostplane backups platform [--list [--json]]\n');
        return 2;
      }
      const { rows } = await platform.list(1, 100);
      if (args[1] === '--json') {
        io.out(`${JSON.stringify(rows.map(platformBackupView))}\n`);
        return 0;
      }
      for (const r of rows) {
        io.out(
          `${r.id}\t${r.status}\t${r.database_snapshot_id?.slice(0, 8) ?? '-'}\t${r.files_snapshot_id?.slice(0, 8) ?? '-'}\t${r.size_bytes ?? '-'}\t${r.created_at.toISOString()}${r.error ? `\t${r.error}` : ''}\n`,
        );
      }
      return 0;
    },
  };
}
