/**
 * Running a plugin's CLI command: the plugin is set up (setup is side-effect free) in the CLI's
 * process, never started, and the command runs with a runtime context of its services.
 */
import type { CommandIO } from '@hostplane/sdk';
import { KernelErrors } from '../errors.js';
import { buildRuntime, checkActivatable, type LifecycleHost } from './lifecycle.js';
import { withinLimit } from './phase-limits.js';
import { isolatedOf, separateDefinition } from '../isolation/isolated-plugin.js';
import { migrateDefinition } from './migrate-definition.js';
import { validateConfig } from './plugin-config.js';
import { createRuntimeContext, createSetupContext } from './plugin-context.js';
import type { AnyPlugin } from './load-definition.js';
import type { PluginRecord, PluginRuntime } from './plugin-record.js';

/** Names and descriptions of a plugin's commands. */
export interface CommandInfo {
  name: string;
  /** The top-level group it appears under, when not the plugin id. */
  group?: string;
  description: string;
  usage: string;
}

/**
 * How {@link runPluginCommand} names a command: its name, or `<group> <name>` for a grouped one
 * (so `hostplane accounts list` and `hostplane packages list` can never be confused).
 */
export function commandKey(command: { name: string; group?: string | undefined }): string {
  return command.group ? `${command.group} ${command.name}` : command.name;
}

async function prepare(host: LifecycleHost, record: PluginRecord) {
  const id = record.discovered.manifest.id;
  if (!record.enabled) throw KernelErrors.pluginNotEnabled(id);
  checkActivatable(record, host.records, (dep) => dep.enabled);
  // A command runs the plugin's code: only a package this install trusts (or allowed).
  await host.checkSignature(record);
  const loaded = (record.definition ??= record.inline ?? (await host.loadDefinition(record)));
  // An isolated plugin's command runs in a process of its own, beside the running plugin's.
  const definition = separateDefinition(loaded) ?? loaded;
  const config = validateConfig(id, definition.config, await host.configFor(record, definition));
  const database = await host.openPluginDatabase(record, definition.migrations !== undefined);
  try {
    if (definition.migrations && database) {
      // An isolated plugin migrates in the command's process: have it running first.
      await isolatedOf(definition)?.prepare();
      await migrateDefinition(definition, database.knex, { pluginId: id, action: 'latest' });
    }
    const runtime = buildRuntime(host, record, definition, config, database);
    const setup = definition.setup?.(createSetupContext(runtime.input, runtime.registrations, definition.deps));
    await withinLimit(setup, host.limits.setup, { plugin: record.discovered.manifest.id, phase: 'setup' });
    return { runtime, definition };
  } catch (error) {
    await database?.close();
    throw error;
  }
}

/** Dispose of what {@link prepare} made: the container, an isolated command's process, then the plugin's pool. */
async function release(runtime: PluginRuntime, definition: AnyPlugin): Promise<void> {
  try {
    await runtime.container.dispose();
    await isolatedOf(definition)?.end();
  } finally {
    await runtime.database?.close();
  }
}

/** The commands an enabled plugin offers. */
export async function listPluginCommands(host: LifecycleHost, record: PluginRecord): Promise<CommandInfo[]> {
  const { runtime, definition } = await prepare(host, record);
  try {
    return runtime.registrations.commands.map((c) => ({
      name: c.name,
      ...(c.group ? { group: c.group } : {}),
      description: c.description,
      usage: c.usage ?? '',
    }));
  } finally {
    await release(runtime, definition);
  }
}

/** Run `name` (a {@link commandKey}) of an enabled plugin; resolves with its exit code. */
export async function runPluginCommand(
  host: LifecycleHost,
  record: PluginRecord,
  name: string,
  args: string[],
  io: CommandIO,
): Promise<number> {
  const id = record.discovered.manifest.id;
  const { runtime, definition } = await prepare(host, record);
  try {
    const command = runtime.registrations.commands.find((c) => commandKey(c) === name);
    if (!command)
      throw KernelErrors.commandNotFound(
        id,
        name,
        runtime.registrations.commands.map((c) => commandKey(c)),
      );
    const ctx = createRuntimeContext(runtime.input, runtime.registrations, definition.deps, runtime.abort.signal);
    return (await command.run(args, io, ctx)) ?? 0;
  } finally {
    runtime.abort.abort();
    await release(runtime, definition);
  }
}
