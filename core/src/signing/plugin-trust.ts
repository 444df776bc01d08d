/**
 * The trust decision for one plugin package: its verification, the trusted keys, the first-party
 * keys and the admin's allowances. A plugin runs when it is verified and signed by a trusted (or
 * first-party) key, or when the admin allowed its id; a package claiming a first-party id runs
 * only when signed by a first-party key, whatever the allowances say.
 */
import { KernelErrors } from '../errors.js';
import { isFirstPartyId } from './first-party.js';
import type { Verification } from './signature.js';
import type { TrustSnapshot } from './trust-store.js';

/** What the API, CLI and panel show about a plugin's signature. */
export interface SignatureStatus {
  /**
   * `trusted`: valid signature by a trusted or first-party key. `untrusted`: valid, by a key
   * nobody trusts. `invalid`: present but wrong (the problem says which file). `unsigned`.
   * `not-checked`: code handed to the kernel in-process (tests), or signatures not enforced.
   */
  state: 'trusted' | 'untrusted' | 'invalid' | 'unsigned' | 'not-checked';
  /** Who signed it, when the signature could be read. */
  signer: { keyId: string; name: string | null; firstParty: boolean } | null;
  /** The admin allowed this id to run without a trusted signature. */
  allowed: boolean;
  /** Why it is not trusted, in words. */
  problem: string | null;
}

/** The status of a package given its verification and what is trusted. */
export function signatureStatus(
  verification: Verification,
  trust: TrustSnapshot,
  firstPartyKeys: ReadonlySet<string>,
  pluginId: string,
): SignatureStatus {
  const allowed = trust.allowed.has(pluginId);
  if (verification.state === 'unsigned') {
    return { state: 'unsigned', signer: null, allowed, problem: `${pluginId} has no hostplane.sig.json` };
  }
  const keyId = verification.keyId;
  const firstParty = verification.publicKey !== undefined && firstPartyKeys.has(verification.publicKey);
  const name = keyId ? (trust.signers.get(keyId)?.name ?? (firstParty ? 'Hostplane (first-party)' : null)) : null;
  const signer = keyId ? { keyId, name, firstParty } : null;
  if (verification.state === 'invalid') return { state: 'invalid', signer, allowed, problem: verification.problem };
  const trusted = firstParty || trust.signers.get(verification.keyId)?.publicKey === verification.publicKey;
  if (!trusted) {
    return { state: 'untrusted', signer, allowed, problem: `signed by key ${verification.keyId}, which is not trusted` };
  }
  if (isFirstPartyId(pluginId) && !firstParty) {
    return {
      state: 'untrusted',
      signer,
      allowed,
      problem: `"${pluginId}" is a first-party id: only the first-party key signs it`,
    };
  }
  return { state: 'trusted', signer, allowed, problem: null };
}

/** Throw the 4xx refusal for a plugin that may not run; return when it may. */
export function assertMayRun(pluginId: string, status: SignatureStatus): void {
  if (status.state === 'not-checked') return;
  const problem = status.problem ?? status.state;
  if (isFirstPartyId(pluginId)) {
    // No allowance covers a first-party id: only a valid first-party signature does. A copied
    // first-party signature file names the first-party key but does not verify.
    if (status.state === 'trusted' && status.signer?.firstParty) return;
    if (status.state === 'invalid' && status.signer?.firstParty) throw KernelErrors.signatureInvalid(pluginId, problem);
    throw KernelErrors.firstPartyIdClaimed(pluginId);
  }
  if (status.state === 'trusted' || status.allowed) return;
  if (status.state === 'unsigned') throw KernelErrors.pluginUnsigned(pluginId);
  if (status.state === 'invalid') throw KernelErrors.signatureInvalid(pluginId, problem);
  throw KernelErrors.signerUntrusted(pluginId, status.signer?.keyId ?? '?');
}
