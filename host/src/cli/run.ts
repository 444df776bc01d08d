/** Parse the command line and dispatch to a command. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { CliError, describeError, type CliIO } from './output.js';
import { adminCommand } from './commands/admin.js';
import { doctorCommand } from './commands/doctor.js';
import { jobsCommand } from './commands/jobs.js';
import { migrateCommand } from './commands/migrate.js';
import { outboxCommand } from './commands/outbox.js';
import { pluginCommand } from './commands/plugin-new.js';
import { pluginsCommand } from './commands/plugins.js';
import { secretsCommand } from './commands/secrets.js';
import { seedCommand } from './commands/seed.js';
import { USERS_BUILTIN, usersCommand } from './commands/users.js';
import { extensionCommand } from './commands/plugin-command.js';
import type { CommandInput } from './command.js';

export const USAGE = `Usage: hostplane <command> [options]

Commands:
  start                              run the API (and workers) until SIGTERM/SIGINT
  migrate up|down|status             core schema migrations (--plugin <id> for a plugin's)
  doctor                             check binaries, ports, folders, database, disk and clock;
                                     exits 1 with the list of problems
  seed                               create the demo users (idempotent)
  plugin new <id> [--dir D]          create a plugin package from the template (tests included)
  plugins list                       installed plugins and their state
  plugins enable|disable <id>        turn a plugin on or off (running hosts follow); disable --force
                                     also stops what requires it, even the last sign-in plugin
  plugins config get <id>            show a plugin's config (secrets masked)
  plugins config set <id> k=v ...    change config (values parsed as JSON when they can be)
  plugins keygen --out FILE          a signer key pair (FILE 0600, FILE.pub)
  plugins sign <dir> --key FILE [--name N]
                                     sign a plugin package (hostplane.sig.json); verify <dir> checks it
  plugins trust-key <pub|file> --name N, untrust-key <key id>, keys
                                     signer keys this install trusts
  plugins allow-unsigned <id>, revoke-unsigned <id>
                                     let one plugin run without a trusted signature
  secrets status|rotate-key         the key of secrets at rest (decrypt-all: before a downgrade)
  jobs list [--state S] [--name N]   durable jobs (waiting, scheduled, running, retrying, dead)
  jobs retry <id>                    run a dead or retrying job again
  outbox list [--to E] [--state S]   mails and their delivery (queued, sent, uncertain …)
  outbox requeue <id>                send an uncertain or failed mail again
  admin create --email E [--password P] [--name N]
                                     create a platform administrator
  users list [--role R]              platform users
  users show <id|email>              one user
  users create --email E --role R [--parent EMAIL] [--password P] [--name N]
  users suspend <id|email> --reason R, users unsuspend <id|email>
                                     (accounts plugin) with their subscriptions
  packages list|show|create|archive  hosting packages (accounts plugin; \`packages help\`)
  subscriptions list|show|create|suspend|unsuspend|cancel|terminate
                                     subscriptions (accounts plugin; \`subscriptions help\`)
  <plugin> <command> [args]          a command an enabled plugin adds (e.g. auth revoke-sessions)
  <plugin> help                      the commands an enabled plugin adds
  <group> help                       the commands enabled plugins add to a group (users, packages …)

Options: --json (machine-readable output), --limit N, --help. Plugin and group commands parse
their own options, given after the command: hostplane packages list --json`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  state: { type: 'string' },
  name: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  plugin: { type: 'string' },
  port: { type: 'string' },
  role: { type: 'string' },
  parent: { type: 'string' },
  force: { type: 'boolean' },
  key: { type: 'string' },
  out: { type: 'string' },
  dir: { type: 'string' },
} as const;

const COMMANDS: Record<string, (input: CommandInput) => Promise<number | undefined>> = {
  // Only `start` needs the HTTP server (Fastify and its plugins, the panel): the other commands
  // do not load it, and `start` loads it while the kernel boots.
  start: async (input) => (await import('./commands/start.js')).startCommand(input),
  migrate: migrateCommand,
  doctor: doctorCommand,
  seed: seedCommand,
  plugin: pluginCommand,
  plugins: pluginsCommand,
  jobs: jobsCommand,
  outbox: outboxCommand,
  admin: adminCommand,
  users: usersCommand,
  secrets: secretsCommand,
};

/**
 * Which extension (plugin id or group) handles `argv`, if any: a word the CLI does not know, or
 * a subcommand of `users` other than the built-in ones. Their words go on unparsed.
 */
function extensionOf(argv: string[]): { word: string; rest: string[]; builtin?: { usage: string[] } } | undefined {
  const [word, sub] = argv;
  if (word === undefined || !/^[a-z][a-z0-9-]*$/.test(word)) return undefined;
  if (word === 'users') {
    if (sub === undefined || sub.startsWith('-') || USERS_BUILTIN.actions.includes(sub)) return undefined;
    return { word, rest: argv.slice(1), builtin: { usage: USERS_BUILTIN.usage } };
  }
  return word in COMMANDS ? undefined : { word, rest: argv.slice(1) };
}

function failed(io: CliIO, command: string, error: unknown): number {
  io.err(`hostplane ${command}: ${describeError(error)}`);
  return error instanceof CliError ? error.exitCode : 1;
}

/** Run the CLI; resolves with the exit code, or undefined for a long-running `start`. */
export async function runCli(argv: string[], io: CliIO, env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const extension = extensionOf(argv);
  if (extension) {
    try {
      const handler = extensionCommand(extension.word, USAGE, extension.builtin);
      return await handler({ args: extension.rest, options: {}, config: loadConfig(env), io });
    } catch (error) {
      return failed(io, extension.word, error);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`hostplane: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    io.out(USAGE);
    return command || parsed.values.help ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    io.err(`hostplane: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    const portEnv = parsed.values.port ? { ...env, HOSTPLANE_PORT: parsed.values.port } : env;
    const config = loadConfig(portEnv);
    return await handler({ args: rest, options: parsed.values, config, io });
  } catch (error) {
    return failed(io, command, error);
  }
}
