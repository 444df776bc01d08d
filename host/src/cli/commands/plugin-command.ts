/** `hostplane <plugin> <command> [args]`: commands that enabled plugins add through the SDK. */
import { isHostplaneError } from '@hostplane/sdk';
import { CliError } from '../output.js';
import { withAdminKernel, type CommandInput } from '../command.js';

/** The handler for plugin `id`'s commands. */
export function pluginCommand(id: string): (input: CommandInput) => Promise<number> {
  return async (input) =>
    withAdminKernel(input, async (kernel) => {
      if (!kernel.plugin(id)) throw new CliError(`unknown command "${id}" (and no plugin of that id is installed)`, 2);
      const [name, ...args] = input.args;
      if (!name || name === 'help') {
        const commands = await kernel.pluginCommands(id);
        input.io.out(
          commands.length
            ? commands.map((c) => `hostplane ${id} ${c.name} ${c.usage}`.trimEnd() + `\n    ${c.description}`).join('\n')
            : `plugin "${id}" adds no commands`,
        );
        return name ? 0 : 2;
      }
      try {
        return await kernel.runCommand(id, name, args, input.io);
      } catch (error) {
        if (isHostplaneError(error) && error.code === 'KERNEL_ERR_COMMAND_NOT_FOUND') throw new CliError(error.message, 2);
        throw error;
      }
    });
}
