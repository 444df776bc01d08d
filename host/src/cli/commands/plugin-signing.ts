/**
 * `hostplane plugins keygen|sign|verify|trust-key|untrust-key|keys|allow-unsigned|revoke-unsigned`.
 * keygen, sign and verify work on files alone (no database: a CI job signs and checks); the
 * others change what this install trusts, are audited, and nudge running hosts to check again.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  allowUnsigned,
  formatPublicKey,
  generateSignerKeyPair,
  listAllowances,
  listSigners,
  parsePrivateKey,
  revokeUnsigned,
  signPackage,
  trustSigner,
  untrustSigner,
  verifyPackage,
  writeNewFile,
} from '@hostplane/core';
import { CliError, print } from '../output.js';
import { usage, withAdminKernel, type CommandInput } from '../command.js';

/** The signing subcommands of `hostplane plugins`. */
export const SIGNING_ACTIONS = [
  'keygen',
  'sign',
  'verify',
  'trust-key',
  'untrust-key',
  'keys',
  'allow-unsigned',
  'revoke-unsigned',
] as const;

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,55}$/;

function one(rest: string[], what: string): string {
  const [value] = rest;
  if (value === undefined || rest.length !== 1) throw usage(`usage: hostplane plugins ${what}`);
  return value;
}

function pluginId(rest: string[], action: string): string {
  const id = one(rest, `${action} <plugin id>`);
  if (!PLUGIN_ID.test(id)) throw usage(`"${id}" is not a plugin id`);
  return id;
}

/** A public key given as a file path or as the key itself. */
async function publicKeyText(arg: string): Promise<string> {
  if (/^(hostplane-signer:1:)?[A-Za-z0-9+/]{43}=$/.test(arg.trim())) return arg;
  return readFile(resolve(arg), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read public key file ${arg}: ${error.code ?? error.message}`);
  });
}

export async function pluginSigningCommand(action: string, rest: string[], input: CommandInput): Promise<number> {
  const json = input.options.json === true;
  const { io } = input;
  switch (action) {
    case 'keygen': {
      const out = input.options.out;
      if (!out || rest.length > 0) throw usage('usage: hostplane plugins keygen --out <private key file>');
      const { privatePem, key } = generateSignerKeyPair();
      const path = resolve(out);
      await writeNewFile(path, privatePem, 0o600).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(error.code === 'EEXIST' ? `${path} exists: a key is never overwritten` : error.message);
      });
      await writeNewFile(`${path}.pub`, formatPublicKey(key), 0o644);
      if (json)
        print(io, true, { keyId: key.keyId, publicKey: key.publicKey, privateKeyFile: path, publicKeyFile: `${path}.pub` });
      else {
        io.out(`key ${key.keyId}: private ${path} (0600, keep it secret), public ${path}.pub`);
        io.out(`admins trust it with: hostplane plugins trust-key ${key.publicKey} --name "<who you are>"`);
      }
      return 0;
    }
    case 'sign': {
      const dir = resolve(one(rest, 'sign <dir> --key <private key file> [--name <signer>]'));
      const keyFile = input.options.key;
      if (!keyFile) throw usage('usage: hostplane plugins sign <dir> --key <private key file> [--name <signer>]');
      const mode = (await stat(keyFile).catch(() => undefined))?.mode;
      if (mode === undefined) throw new CliError(`cannot read private key file ${keyFile}`);
      if ((mode & 0o077) !== 0) io.err(`warning: ${keyFile} is readable by others than its owner: chmod 600 ${keyFile}`);
      const privateKey = parsePrivateKey(await readFile(keyFile, 'utf8'), keyFile);
      const doc = await signPackage(dir, privateKey, input.options.name ?? 'unnamed signer');
      if (json) print(io, true, { keyId: doc.keyId, files: doc.files.length, signedAt: doc.signedAt });
      else io.out(`signed ${dir} with key ${doc.keyId}: ${doc.files.length} files`);
      return 0;
    }
    case 'verify': {
      const dir = resolve(one(rest, 'verify <dir>'));
      const result = await verifyPackage(dir);
      if (json) print(io, true, result);
      else if (result.state === 'valid')
        io.out(`valid: signed by key ${result.keyId} ("${result.signer}") at ${result.signedAt}`);
      else if (result.state === 'unsigned') io.err(`unsigned: ${dir} has no hostplane.sig.json`);
      else io.err(`invalid: ${result.problem}`);
      // Exit 1 unless valid: scripts can gate on it. Whether the key is trusted is the host's call.
      return result.state === 'valid' ? 0 : 1;
    }
    case 'keys':
      if (rest.length > 0) throw usage('usage: hostplane plugins keys');
      return withAdminKernel(input, async (kernel) => {
        const signers = await listSigners(kernel.knex);
        const allowed = await listAllowances(kernel.knex);
        if (json) print(io, true, { signers, allowedUnsigned: allowed });
        else {
          print(io, false, signers, ['keyId', 'name', 'createdAt']);
          io.out(`allowed without a trusted signature: ${allowed.length > 0 ? allowed.join(', ') : '(none)'}`);
        }
        return 0;
      });
    case 'trust-key': {
      const arg = one(rest, 'trust-key <public key file | base64> --name <who>');
      const name = input.options.name;
      if (!name) throw usage('usage: hostplane plugins trust-key <public key file | base64> --name <who>');
      const text = await publicKeyText(arg);
      return withAdminKernel(input, async (kernel) => {
        const signer = await trustSigner(kernel.knex, text, name);
        await kernel.recordAudit({
          action: 'platform.plugin_signer.trusted',
          target: { type: 'signer-key', id: signer.keyId },
          details: { name: signer.name },
        });
        await kernel.signingChanged();
        if (json) print(io, true, signer);
        else io.out(`trusted key ${signer.keyId} as "${signer.name}"`);
        return 0;
      });
    }
    case 'untrust-key': {
      const key = one(rest, 'untrust-key <key id | public key>');
      return withAdminKernel(input, async (kernel) => {
        const signer = await untrustSigner(kernel.knex, key);
        await kernel.recordAudit({
          action: 'platform.plugin_signer.untrusted',
          target: { type: 'signer-key', id: signer.keyId },
          details: { name: signer.name },
        });
        await kernel.signingChanged();
        if (json) print(io, true, signer);
        else io.out(`no longer trusted: key ${signer.keyId} ("${signer.name}"); its plugins are refused at their next start`);
        return 0;
      });
    }
    case 'allow-unsigned':
    case 'revoke-unsigned': {
      const id = pluginId(rest, action);
      return withAdminKernel(input, async (kernel) => {
        if (action === 'allow-unsigned') await allowUnsigned(kernel.knex, id);
        else await revokeUnsigned(kernel.knex, id);
        await kernel.recordAudit({
          action: action === 'allow-unsigned' ? 'platform.plugin.unsigned_allowed' : 'platform.plugin.unsigned_revoked',
          target: { type: 'plugin', id },
        });
        await kernel.signingChanged(id);
        if (json) print(io, true, { plugin: id, allowed: action === 'allow-unsigned' });
        else
          io.out(
            action === 'allow-unsigned'
              ? `${id} may run without a trusted signature (first-party ids excepted)`
              : `${id} needs a trusted signature again`,
          );
        return 0;
      });
    }
    default:
      throw usage(`unknown plugins action "${action}"`);
  }
}
