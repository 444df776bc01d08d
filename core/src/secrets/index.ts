/** Secrets at rest: AES-256-GCM envelopes, the key, rotation, sealed plugin configs. */
export { SecretsErrors } from './errors.js';
export {
  encryptSecret,
  decryptSecret,
  generateSecretKey,
  keyIdOf,
  isEnvelope,
  envelopeKeyId,
  type SecretKey,
} from './envelope.js';
export { KEY_FILE, NEXT_KEY_FILE, formatKey, parseKey } from './key-file.js';
export { Keyring, openKeyring, type KeyOrigin, type SecretKeySource } from './keyring.js';
export { PLUGIN_CONFIG_PURPOSE, SEALED_MARK, isSealedValue, sealConfig, revealConfig } from './config-secrets.js';
export { pluginConfigStore, type SecretStore, type Rewrap } from './stores.js';
export type { RotationResult, RotationHooks } from './rotate.js';
export { KernelSecrets, type SecretsStatus } from './secrets-admin.js';
export { createSecretsService, pluginSecretStore, PLUGIN_SECRET_PURPOSE, type SecretSealer } from './plugin-secrets.js';
