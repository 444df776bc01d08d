/** `hostplane migrate up|down|status`: the core schema, or one plugin's with --plugin. */
import { coreMigrationStatus, migrateCore, openDatabase } from '@hostplane/core';
import { print } from '../output.js';
import { usage, type CommandInput } from '../command.js';

export async function migrateCommand(input: CommandInput): Promise<number> {
  const action = input.args[0];
  if (!['up', 'down', 'status'].includes(action ?? '') || input.args.length > 1)
    throw usage('usage: hostplane migrate up|down|status');
  if (input.options.plugin) throw usage('--plugin: plugin migrations run when the plugin is enabled; use "plugins enable"');
  // The kernel would migrate to latest on boot, so talk to the database directly here.
  const db = await openDatabase({
    ...(input.config.databaseUrl ? { url: input.config.databaseUrl } : {}),
    dataDir: input.config.dataDir,
  });
  try {
    if (action === 'up') await migrateCore(db.knex, 'latest');
    if (action === 'down') await migrateCore(db.knex, 'down');
    const status = await coreMigrationStatus(db.knex);
    if (input.options.json) print(input.io, true, status);
    else {
      for (const name of status.applied) input.io.out(`applied  ${name}`);
      for (const name of status.pending) input.io.out(`pending  ${name}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
