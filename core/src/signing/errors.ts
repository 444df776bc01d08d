/** Error codes of plugin signing (the tools; refusals to enable are KernelErrors). */
import { defineError } from '@hostplane/sdk';

export const SigningErrors = {
  keyInvalid: defineError(
    'SIGNING_ERR_KEY_INVALID',
    400,
    (where: string, problem: string) => `signing key ${where} is unusable: ${problem}`,
  ),
  packageInvalid: defineError(
    'SIGNING_ERR_PACKAGE_INVALID',
    400,
    (dir: string, problem: string) => `cannot sign or verify ${dir}: ${problem}`,
    (dir: string, problem: string) => ({ dir, problem }),
  ),
  signerNotFound: defineError('SIGNING_ERR_SIGNER_NOT_FOUND', 404, (key: string) => `no trusted signer key "${key}"`),
  allowanceNotFound: defineError(
    'SIGNING_ERR_ALLOWANCE_NOT_FOUND',
    404,
    (id: string) => `plugin "${id}" has no allowance to run unsigned`,
  ),
  nameInvalid: defineError('SIGNING_ERR_NAME_INVALID', 400, (problem: string) => `signer name ${problem}`),
} as const;
