/** Plugin signing: ed25519 over the manifest and every file's hash, trusted keys, allowances. */
export { SigningErrors } from './errors.js';
export { canonicalJson } from './canonical.js';
export {
  generateSignerKeyPair,
  parsePrivateKey,
  parsePublicKey,
  formatPublicKey,
  signerKeyId,
  writeNewFile,
  type SignerKey,
} from './keys.js';
export { packageFiles, SIGNATURE_FILE, type SignedFile } from './package-files.js';
export { signPackage, verifyPackage, SIGNATURE_FORMAT, type SignatureDocument, type Verification } from './signature.js';
export { FIRST_PARTY_IDS, RELEASE_FIRST_PARTY_KEYS, isFirstPartyId } from './first-party.js';
export {
  listSigners,
  trustSigner,
  untrustSigner,
  listAllowances,
  allowUnsigned,
  revokeUnsigned,
  trustSnapshot,
  type TrustedSigner,
  type TrustSnapshot,
} from './trust-store.js';
export { signatureStatus, assertMayRun, type SignatureStatus } from './plugin-trust.js';
export { NOT_CHECKED, type SigningPolicy } from './assess.js';
