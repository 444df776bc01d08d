/** Error codes of secrets at rest. Every one names what the operator can do about it. */
import { defineError } from '@hostplane/sdk';

export const SecretsErrors = {
  keyMissing: defineError(
    'SECRETS_ERR_KEY_MISSING',
    500,
    (keyId: string, where: string) =>
      `the stored secrets are encrypted with key ${keyId}, which is not available (${where}). Restore the key file ` +
      'from your backup into the data directory, or set HOSTPLANE_SECRET_KEY to that key; nothing was changed',
    (keyId: string, where: string) => ({ keyId, where }),
  ),
  keyInvalid: defineError(
    'SECRETS_ERR_KEY_INVALID',
    500,
    (where: string, problem: string) => `secret key in ${where} is unusable: ${problem}`,
    (where: string) => ({ where }),
  ),
  envelopeInvalid: defineError(
    'SECRETS_ERR_ENVELOPE_INVALID',
    500,
    (problem: string) => `an encrypted value is malformed: ${problem}`,
  ),
  decryptFailed: defineError(
    'SECRETS_ERR_DECRYPT_FAILED',
    500,
    (purpose: string, context: string) =>
      `an encrypted value (${purpose} ${context}) does not decrypt: it was changed, copied from another place, or ` +
      'encrypted with another key of the same id',
    (purpose: string) => ({ purpose }),
  ),
  purposeInvalid: defineError(
    'SECRETS_ERR_PURPOSE_INVALID',
    500,
    (purpose: string) => `secret purpose "${purpose}" must match [a-z][a-z0-9.-]{0,63}`,
  ),
  rotationNeedsKey: defineError(
    'SECRETS_ERR_ROTATION_NEEDS_KEY',
    409,
    () =>
      'HOSTPLANE_SECRET_KEY is set, so the key is not in a file the host may replace: set HOSTPLANE_NEW_SECRET_KEY to ' +
      'the new key (32 random bytes, base64), rotate, then swap the variables',
  ),
  plaintextLeft: defineError(
    'SECRETS_ERR_ENCRYPTED_VALUES_PRESENT',
    409,
    (count: number) =>
      `${count} stored plugin config(s) hold encrypted secrets, which older versions cannot read: run ` +
      '`hostplane secrets decrypt-all` before migrating the core schema below 0006',
  ),
} as const;
