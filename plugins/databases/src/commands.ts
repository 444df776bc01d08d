/**
 * `hostplane databases list|create|delete|reset-password|measure`: the operator's console. The
 * CLI acts as the platform (every customer's databases); a create names the subscription.
 */
import { parseArgs } from 'node:util';
import { CommonErrors, type CommandDefinition, type CommandIO } from '@hostplane/sdk';
import { PLATFORM, type DatabasesService } from './databases-service.js';
import type { DatabaseRow, DatabaseStore } from './store.js';

const PLATFORM_ACTOR = PLATFORM;
const CLI_INFO = { actorId: null };

interface Parsed {
  values: Record<string, string | boolean | undefined> & { json?: boolean };
  positionals: string[];
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): Parsed {
  try {
    return parseArgs({
      args,
      options: { ...options, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }) as Parsed;
  } catch (err) {
    throw CommonErrors.badRequest((err as Error).message, undefined);
  }
}

function print(io: CommandIO, json: boolean | undefined, value: unknown, line: string): void {
  io.out(json ? `${JSON.stringify(value, null, 2)}\n` : `${line}\n`);
}

async function byName(store: DatabaseStore, name: string | undefined): Promise<DatabaseRow> {
  if (!name) throw CommonErrors.badRequest('name one database by its full name', undefined);
  const row = (await store.databases().where({ name }).first()) as DatabaseRow | undefined;
  if (!row) throw CommonErrors.notFound(`database ${name}`);
  return row;
}

export function databaseCommands<C, D>(store: DatabaseStore, service: DatabasesService): Array<CommandDefinition<C, D>> {
  return [
    {
      group: 'databases',
      name: 'list',
      description: 'Databases with their owner, server, users and last measured size',
      usage: '[--json]',
      async run(args, io) {
        const { values } = parse(args, {});
        const rows = (await store.databases().orderBy('name')) as DatabaseRow[];
        const users = await store.userNamesOf(rows.map((r) => r.id));
        const items = rows.map((r) => ({ ...r, users: users.get(r.id) ?? [] }));
        if (values.json) return print(io, true, items, '');
        for (const r of items)
          io.out(`${r.name}\t${r.server}\t${r.size_bytes ?? '-'} bytes\t${r.users.join(',') || '(no users)'}\n`);
      },
    },
    {
      group: 'databases',
      name: 'create',
      description: 'Create a database <prefix>_<name> in a subscription, and a user for it (password shown once)',
      usage: '--subscription ID --name NAME [--server ID] [--no-user] [--json]',
      async run(args, io) {
        const { values } = parse(args, {
          subscription: { type: 'string' },
          name: { type: 'string' },
          server: { type: 'string' },
          'no-user': { type: 'boolean' },
        });
        const { subscription, name, server } = values;
        if (typeof subscription !== 'string' || typeof name !== 'string')
          throw CommonErrors.badRequest('--subscription and --name are required', undefined);
        const row = await service.create(
          PLATFORM_ACTOR,
          { name, subscriptionId: subscription, ...(typeof server === 'string' ? { server } : {}) },
          CLI_INFO,
        );
        if (values['no-user']) return print(io, values.json, row, `database ${row.name} created on ${row.server}`);
        const { user, password } = await service.addUser(PLATFORM_ACTOR, row.id, undefined, CLI_INFO);
        print(
          io,
          values.json,
          { database: row, user: user.name, password },
          `database ${row.name} created on ${row.server}\nuser ${user.name}\npassword ${password}`,
        );
      },
    },
    {
      group: 'databases',
      name: 'delete',
      description: 'Delete a database, its data and its users',
      usage: '<name> --confirm <name>',
      async run(args, io) {
        const { values, positionals } = parse(args, { confirm: { type: 'string' } });
        const row = await byName(store, positionals[0]);
        await service.remove(PLATFORM_ACTOR, row.id, typeof values.confirm === 'string' ? values.confirm : undefined, CLI_INFO);
        io.out(`database ${row.name} deleted\n`);
      },
    },
    {
      group: 'databases',
      name: 'reset-password',
      description: 'Give a database user a new password (shown once)',
      usage: '<user name> [--json]',
      async run(args, io) {
        const { values, positionals } = parse(args, {});
        const name = positionals[0];
        const user = name
          ? ((await store.users().where({ name }).first()) as { id: string; database_id: string } | undefined)
          : undefined;
        if (!user) throw CommonErrors.notFound(`database user ${name ?? ''}`);
        const issued = await service.resetPassword(PLATFORM_ACTOR, user.database_id, user.id, CLI_INFO);
        print(
          io,
          values.json,
          { user: issued.user.name, password: issued.password },
          `user ${issued.user.name}\npassword ${issued.password}`,
        );
      },
    },
    {
      group: 'databases',
      name: 'measure',
      description: 'Measure every database’s size now',
      async run(_args, io) {
        io.out(`${await service.measureAll()} database(s) measured\n`);
      },
    },
  ];
}
