/**
 * Operator commands (`hostplane sftp …`). The CLI does not start the web server driver, so it
 * changes the table and the system users and leaves sshd's config to a running host: `delete`
 * and `sync` enqueue the sync job it runs.
 */
import { CommonErrors, type CommandDefinition, type JobsService } from '@hostplane/sdk';
import type { AccountRow, AccountStore } from './store.js';
import type { ManagedSshd } from './services/sshd.js';
import type { SystemAccounts } from './services/system-accounts.js';

export const SYNC_JOB = 'sync-accounts';

export interface CommandDeps {
  store: AccountStore;
  system: SystemAccounts;
  sshd: ManagedSshd;
  jobs: JobsService;
}

export function listCommand<C, D>({ store }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'list',
    description: 'List SFTP accounts (--website <id> for one site)',
    usage: '[--website <id>] [--json]',
    async run(args, io) {
      const at = args.indexOf('--website');
      const website = at >= 0 ? args[at + 1] : undefined;
      if (at >= 0 && !website) {
        io.err('usage: hostplane sftp list [--website <id>] [--json]\n');
        return 2;
      }
      const rows = (await store.all()).filter((r) => !website || r.website_id === website);
      const shown = rows.map((r) => ({
        id: r.id,
        login: r.login,
        website: r.site_name,
        websiteId: r.website_id,
        password: r.password_hash !== null,
        keys: (r.public_keys as AccountRow['public_keys']).length,
        active: r.desired === 'active',
      }));
      if (args.includes('--json')) {
        io.out(`${JSON.stringify(shown)}\n`);
        return 0;
      }
      for (const r of shown) {
        io.out(
          `${r.id}\t${r.login}\t${r.website}\tpassword:${r.password ? 'yes' : 'no'}\tkeys:${r.keys}\t${r.active ? 'active' : 'inactive'}\n`,
        );
      }
      return 0;
    },
  };
}

export function deleteCommand<C, D>({ store, system, jobs }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'delete',
    description: 'Delete an SFTP account by login (a running host drops it from sshd)',
    usage: '<login>',
    async run(args, io) {
      const [login] = args;
      if (!login || args.length !== 1) {
        io.err('usage: hostplane sftp delete <login>\n');
        return 2;
      }
      await store.db.transaction(async (trx) => {
        const row = (await store.accounts(trx).where({ login }).first()) as AccountRow | undefined;
        if (!row) throw CommonErrors.badRequest(`no SFTP account ${login}`, undefined);
        await store.accounts(trx).where({ id: row.id }).delete();
        await system.remove(login);
        await jobs.enqueue(SYNC_JOB, {}, { trx });
      });
      io.out(`SFTP account ${login} deleted\n`);
      return 0;
    },
  };
}

export function syncCommand<C, D>({ jobs }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'sync',
    description: 'Have a running host make every SFTP account and sshd’s config again from the database',
    usage: '',
    async run(args, io) {
      if (args.length) {
        io.err('usage: hostplane sftp sync\n');
        return 2;
      }
      const { id } = await jobs.enqueue(SYNC_JOB, {});
      io.out(`sync queued (job ${id})\n`);
      return 0;
    },
  };
}

export function fingerprintsCommand<C, D>({ sshd }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'fingerprints',
    description: 'Print the SFTP server’s host key fingerprints (for customers to check on first connect)',
    usage: '',
    async run(_args, io) {
      const lines = await sshd.fingerprints();
      if (lines.length === 0) {
        io.err('no host keys yet: the SFTP server has not been started\n');
        return 1;
      }
      io.out(`${lines.join('\n')}\n`);
      return 0;
    },
  };
}
