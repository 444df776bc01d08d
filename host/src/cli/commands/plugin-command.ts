/**
 * Commands enabled plugins add through the SDK:
 * - `hostplane <plugin> <command> [args]`, the plugin's own namespace;
 * - `hostplane <group> <command> [args]`, top-level groups several plugins may add to (the
 *   accounts plugin adds `packages`, `subscriptions`, and `users suspend|unsuspend` beside the
 *   built-in `users list|create|show`).
 * The words after the command go to it untouched: it parses its own options.
 */
import { isHostplaneError } from '@hostplane/sdk';
import type { Kernel } from '@hostplane/core';
import { CliError } from '../output.js';
import { withAdminKernel, type CommandInput } from '../command.js';

type CommandInfo = Awaited<ReturnType<Kernel['pluginCommands']>>[number];

/** A grouped command and the plugin adding it. */
interface GroupEntry {
  pluginId: string;
  info: CommandInfo;
}

/** What a built-in command of the same name does itself, listed in the group's help. */
export interface BuiltinPart {
  usage: string[];
}

function describe(prefix: string, info: CommandInfo): string {
  return `${`hostplane ${prefix} ${info.name} ${info.usage}`.trimEnd()}\n    ${info.description}`;
}

/**
 * The commands enabled plugins add to `group`. Each plugin is set up (side-effect free) to ask;
 * one that cannot be is left out (`hostplane plugins list` shows why), not fatal to the others.
 */
async function groupCommands(kernel: Kernel, group: string): Promise<GroupEntry[]> {
  const found: GroupEntry[] = [];
  for (const plugin of kernel.plugins()) {
    if (!plugin.enabled) continue;
    let infos: CommandInfo[];
    try {
      infos = await kernel.pluginCommands(plugin.id);
    } catch {
      continue;
    }
    for (const info of infos) if (info.group === group) found.push({ pluginId: plugin.id, info });
  }
  return found;
}

async function runOwn(kernel: Kernel, id: string, input: CommandInput): Promise<number> {
  const [name, ...args] = input.args;
  if (!name || name === 'help') {
    const commands = (await kernel.pluginCommands(id)).filter((c) => !c.group);
    input.io.out(commands.length ? commands.map((c) => describe(id, c)).join('\n') : `plugin "${id}" adds no commands`);
    return name ? 0 : 2;
  }
  try {
    return await kernel.runCommand(id, name, args, input.io);
  } catch (error) {
    if (isHostplaneError(error) && error.code === 'KERNEL_ERR_COMMAND_NOT_FOUND') throw new CliError(error.message, 2);
    throw error;
  }
}

/**
 * The handler for a word the CLI does not know itself: a plugin id, or a group. `usage` is the
 * CLI's usage text (shown when neither matches); `builtin` lists what a built-in command of the
 * same name handles itself.
 */
export function extensionCommand(word: string, usage: string, builtin?: BuiltinPart): (input: CommandInput) => Promise<number> {
  return async (input) =>
    withAdminKernel(input, async (kernel) => {
      if (!builtin && kernel.plugin(word)) return runOwn(kernel, word, input);
      const commands = await groupCommands(kernel, word);
      if (commands.length === 0 && !builtin)
        throw new CliError(`unknown command "${word}" (no installed plugin has that id or adds that group)\n\n${usage}`, 2);
      const listing = [...(builtin?.usage ?? []), ...commands.map((c) => describe(word, c.info))].join('\n');
      const [name, ...args] = input.args;
      if (!name || name === 'help' || name === '--help' || name === '-h') {
        if (name) input.io.out(listing);
        else input.io.err(`usage:\n${listing}`);
        return name ? 0 : 2;
      }
      const match = commands.find((c) => c.info.name === name);
      if (!match) throw new CliError(`unknown command "${word} ${name}"; these exist:\n${listing}`, 2);
      return kernel.runCommand(match.pluginId, `${word} ${name}`, args, input.io);
    });
}
