/** `hostplane secrets status|rotate-key|decrypt-all`: the key of secrets at rest. */
import { print } from '../output.js';
import { usage, withAdminKernel, type CommandInput } from '../command.js';

const USAGE = 'usage: hostplane secrets status | rotate-key | decrypt-all';

export async function secretsCommand(input: CommandInput): Promise<number> {
  const [action, ...rest] = input.args;
  if (rest.length > 0) throw usage(USAGE);
  const json = input.options.json === true;
  switch (action) {
    case 'status':
      return withAdminKernel(input, async (kernel) => {
        const status = await kernel.secrets.status();
        if (json) {
          print(input.io, true, status);
          return 0;
        }
        const { origin } = status;
        const where = origin.kind === 'file' ? origin.path : origin.kind === 'env' ? origin.variable : 'memory (tests only)';
        input.io.out(`key ${status.keyId} from ${where}${status.keyFileMode ? ` (mode ${status.keyFileMode})` : ''}`);
        if (status.keyFileMode && status.keyFileMode !== '0600') {
          input.io.err(`warning: the key file is readable by others than its owner: chmod 600 ${where}`);
        }
        for (const [store, count] of Object.entries(status.encrypted)) input.io.out(`${store}: ${count} encrypted value(s)`);
        if (status.pendingPlugins.length > 0) {
          input.io.out(
            `stored before encryption, sealed at their next start or config change: ${status.pendingPlugins.join(', ')}`,
          );
        }
        return 0;
      });
    case 'rotate-key':
      return withAdminKernel(input, async (kernel) => {
        const result = await kernel.secrets.rotate();
        if (json) print(input.io, true, result);
        else {
          const total = Object.values(result.rewrapped).reduce((a, b) => a + b, 0);
          input.io.out(`rotated key ${result.oldKeyId} → ${result.newKeyId}: ${total} value(s) re-encrypted`);
          input.io.out('back up the new key with the database: backups taken before now need the old key');
          if (result.followUp) input.io.out(`to do: ${result.followUp}`);
        }
        await kernel.recordAudit({
          action: 'platform.secret_key.rotated',
          actorId: null,
          target: { type: 'secret-key', id: result.newKeyId },
          details: { oldKeyId: result.oldKeyId, rewrapped: result.rewrapped },
        });
        return 0;
      });
    case 'decrypt-all':
      return withAdminKernel(input, async (kernel) => {
        const result = await kernel.secrets.decryptAll();
        if (json) print(input.io, true, result);
        else input.io.out(`written back in the clear: ${JSON.stringify(result)} (only before a downgrade)`);
        await kernel.recordAudit({ action: 'platform.secrets.decrypted', actorId: null, details: result });
        return 0;
      });
    default:
      throw usage(USAGE);
  }
}
