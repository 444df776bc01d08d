/** `hostplane plugins list|enable|disable|config get|set`. */
import { print } from '../output.js';
import { usage, withAdminKernel, type CommandInput } from '../command.js';
import { pluginSigningCommand, SIGNING_ACTIONS } from './plugin-signing.js';

/** Parse `key=value` pairs; values that parse as JSON are taken as JSON (numbers, booleans…). */
export function parseAssignments(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usage(`expected key=value, got "${pair}"`);
    const key = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    try {
      out[key] = JSON.parse(raw);
    } catch {
      out[key] = raw;
    }
  }
  return out;
}

export async function pluginsCommand(input: CommandInput): Promise<number> {
  const [action, ...rest] = input.args;
  const json = input.options.json === true;
  switch (action) {
    case 'list':
      return withAdminKernel(input, async (kernel) => {
        await kernel.refreshSignatures();
        const rows = kernel.plugins().map((p) => ({
          ...p,
          error: p.error ? `${p.error.phase}: ${p.error.message}` : null,
          signature: `${p.signature.state}${p.signature.allowed ? ' (allowed)' : ''}`,
          signer: p.signature.signer ? (p.signature.signer.name ?? p.signature.signer.keyId) : null,
        }));
        const columns = ['id', 'version', 'source', 'enabled', 'state', 'signature', 'signer', 'error'];
        print(input.io, json, json ? kernel.plugins() : rows, columns);
        for (const problem of json ? [] : kernel.discoveryProblems) {
          input.io.err(`warning: skipped ${problem.dir}: ${problem.error.message}`);
        }
        return 0;
      });
    case 'enable':
    case 'disable': {
      const id = rest[0];
      if (!id || rest.length > 1) throw usage(`usage: hostplane plugins ${action} <id>`);
      const force = input.options.force === true;
      if (force && action === 'enable') throw usage('--force is for disable');
      return withAdminKernel(input, async (kernel) => {
        // The panel and API never force: this is the way back in for whoever runs the host.
        const impact = action === 'disable' ? kernel.disableImpact(id) : null;
        const status = action === 'enable' ? await kernel.enable(id) : await kernel.disable(id, { cascade: force, force });
        if (json) print(input.io, true, status);
        else input.io.out(`${id} ${action}d; running hosts apply it now, others at their next start`);
        if (!json && force && impact) {
          if (impact.dependents.length > 0) input.io.out(`also disabled: ${impact.dependents.join(', ')}`);
          if (impact.lastSignInProvider) input.io.out('warning: no enabled plugin signs people in now: nobody can sign in');
        }
        return 0;
      });
    }
    case 'config': {
      const [verb, id, ...pairs] = rest;
      if ((verb !== 'get' && verb !== 'set') || !id)
        throw usage('usage: hostplane plugins config get <id> | set <id> key=value ...');
      return withAdminKernel(input, async (kernel) => {
        if (verb === 'get') {
          print(input.io, true, await kernel.getConfig(id));
          return 0;
        }
        if (pairs.length === 0) throw usage('nothing to set: give key=value pairs');
        const current = await kernel.getConfig(id);
        print(input.io, true, await kernel.setConfig(id, { ...current, ...parseAssignments(pairs) }));
        return 0;
      });
    }
    default:
      if ((SIGNING_ACTIONS as readonly string[]).includes(action ?? '')) return pluginSigningCommand(action!, rest, input);
      throw usage(
        'usage: hostplane plugins list | enable <id> | disable <id> | config get|set <id> | keygen | sign | verify | ' +
          'trust-key | untrust-key | keys | allow-unsigned <id> | revoke-unsigned <id>',
      );
  }
}
