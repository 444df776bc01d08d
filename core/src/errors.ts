/** Error codes of the kernel. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const KernelErrors = {
  manifestInvalid: defineError(
    'KERNEL_ERR_MANIFEST_INVALID',
    400,
    (where: string, problems: string[]) => `invalid plugin manifest in ${where}: ${problems.join('; ')}`,
    (where: string, problems: string[]) => ({ where, problems }),
  ),
  definitionInvalid: defineError(
    'KERNEL_ERR_DEFINITION_INVALID',
    400,
    (id: string, problem: string) => `plugin "${id}": ${problem}`,
  ),
  sharedDataUnavailable: defineError(
    'KERNEL_ERR_SHARED_DATA_UNAVAILABLE',
    409,
    (id: string, provider: string, relation: string, reason: string) =>
      `plugin "${id}" reads "${provider}.${relation}", but ${reason}`,
    (id: string, provider: string, relation: string) => ({ plugin: id, provider, relation }),
  ),
  pluginNotFound: defineError('KERNEL_ERR_PLUGIN_NOT_FOUND', 404, (id: string) => `no plugin "${id}" is installed`),
  pluginNotEnabled: defineError('KERNEL_ERR_PLUGIN_NOT_ENABLED', 409, (id: string) => `plugin "${id}" is not enabled`),
  commandNotFound: defineError(
    'KERNEL_ERR_COMMAND_NOT_FOUND',
    404,
    (id: string, name: string, known: string[]) =>
      `plugin "${id}" has no command "${name}"${known.length ? ` (it has: ${known.join(', ')})` : ''}`,
  ),
  duplicatePlugin: defineError(
    'KERNEL_ERR_DUPLICATE_PLUGIN',
    409,
    (id: string, first: string, second: string) => `plugin "${id}" found twice: ${first} and ${second} (the first is used)`,
  ),
  sdkIncompatible: defineError(
    'KERNEL_ERR_SDK_INCOMPATIBLE',
    409,
    (id: string, range: string, version: string) => `plugin "${id}" needs SDK ${range}, this host has ${version}`,
  ),
  dependencyMissing: defineError(
    'KERNEL_ERR_DEPENDENCY_MISSING',
    409,
    (id: string, dep: string, range: string) => `plugin "${id}" requires "${dep}" ${range}, which is not installed`,
  ),
  dependencyIncompatible: defineError(
    'KERNEL_ERR_DEPENDENCY_INCOMPATIBLE',
    409,
    (id: string, dep: string, range: string, version: string) =>
      `plugin "${id}" requires "${dep}" ${range}, installed is ${version}`,
  ),
  dependencyNotEnabled: defineError(
    'KERNEL_ERR_DEPENDENCY_NOT_ENABLED',
    409,
    (id: string, dep: string) => `plugin "${id}" requires "${dep}": enable "${dep}" first`,
  ),
  dependencyCycle: defineError(
    'KERNEL_ERR_DEPENDENCY_CYCLE',
    409,
    (cycle: string[]) => `plugin dependency cycle: ${cycle.join(' → ')}`,
    (cycle: string[]) => ({ cycle }),
  ),
  dependentsEnabled: defineError(
    'KERNEL_ERR_DEPENDENTS_ENABLED',
    409,
    (id: string, dependents: string[]) =>
      `plugin "${id}" is required by ${dependents.map((d) => `"${d}"`).join(', ')}: disable them first, or with it (cascade)`,
    (_id: string, dependents: string[]) => ({ dependents }),
  ),
  lastSignInProvider: defineError(
    'KERNEL_ERR_LAST_SIGN_IN_PROVIDER',
    409,
    (id: string) =>
      `plugin "${id}" is the last one that signs people in: without it nobody could sign in to the panel or the API ` +
      `(the command line can: hostplane plugins disable ${id} --force)`,
    (id: string) => ({ plugin: id }),
  ),
  configInvalid: defineError(
    'KERNEL_ERR_CONFIG_INVALID',
    400,
    (id: string, problems: Array<{ field: string; message: string }>) =>
      `invalid config for plugin "${id}": ${problems.map((p) => `${p.field || '/'} ${p.message}`).join('; ')}`,
    (_id: string, problems: Array<{ field: string; message: string }>) => problems,
  ),
  serviceNotDeclared: defineError(
    'KERNEL_ERR_SERVICE_NOT_DECLARED',
    403,
    (id: string, service: string, need: string) => `plugin "${id}" asked for ${service} but ${need}`,
  ),
  serviceUnavailable: defineError(
    'KERNEL_ERR_SERVICE_UNAVAILABLE',
    503,
    (id: string, service: string) => `plugin "${id}" asked for ${service}, which no started plugin provides`,
  ),
  registrationInvalid: defineError(
    'KERNEL_ERR_REGISTRATION_INVALID',
    400,
    (id: string, problem: string) => `plugin "${id}": ${problem}`,
  ),
  pluginFailed: defineError(
    'KERNEL_ERR_PLUGIN_FAILED',
    500,
    (id: string, phase: string, message: string) => `plugin "${id}" failed during ${phase}: ${message}`,
  ),
  pluginUnsigned: defineError(
    'KERNEL_ERR_PLUGIN_UNSIGNED',
    403,
    (id: string) =>
      `plugin "${id}" is not signed: sign it (hostplane plugins sign), or allow it by name ` +
      `(hostplane plugins allow-unsigned ${id})`,
    (id: string) => ({ plugin: id }),
  ),
  signatureInvalid: defineError(
    'KERNEL_ERR_PLUGIN_SIGNATURE_INVALID',
    403,
    (id: string, problem: string) => `plugin "${id}" does not match its signature: ${problem}`,
    (id: string, problem: string) => ({ plugin: id, problem }),
  ),
  signerUntrusted: defineError(
    'KERNEL_ERR_PLUGIN_SIGNER_UNTRUSTED',
    403,
    (id: string, keyId: string) =>
      `plugin "${id}" is signed by key ${keyId}, which is not trusted: hostplane plugins trust-key <public key> ` +
      `--name <who>, or hostplane plugins allow-unsigned ${id}`,
    (id: string, keyId: string) => ({ plugin: id, keyId }),
  ),
  firstPartyIdClaimed: defineError(
    'KERNEL_ERR_PLUGIN_FIRST_PARTY_ID',
    403,
    (id: string) =>
      `plugin "${id}" claims a first-party id but is not signed by the first-party key (in a source checkout, ` +
      "`npm run build` signs the first-party plugins with the checkout's build key)",
    (id: string) => ({ plugin: id }),
  ),
  phaseTimeout: defineError(
    'KERNEL_ERR_PHASE_TIMEOUT',
    503,
    (id: string, phase: string, ms: number) => `plugin "${id}" did not finish ${phase} within ${ms} ms`,
  ),
} as const;
