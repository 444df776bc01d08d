/** Assessing a discovered plugin's signature against what this install trusts. */
import type { Knex } from 'knex';
import type { PluginRecord } from '../registry/plugin-record.js';
import { RELEASE_FIRST_PARTY_KEYS } from './first-party.js';
import { signatureStatus, type SignatureStatus } from './plugin-trust.js';
import { verifyPackage } from './signature.js';
import { trustSnapshot } from './trust-store.js';

/** How the kernel checks signatures (`KernelOptions.signing`). */
export interface SigningPolicy {
  /**
   * Public keys (base64) of first-party signers besides the release keys: the host adds the
   * build key of the checkout it runs from.
   */
  firstPartyKeys?: readonly string[];
}

/** Signatures not checked: in-process plugins, or a kernel without a signing policy. */
export const NOT_CHECKED: SignatureStatus = { state: 'not-checked', signer: null, allowed: false, problem: null };

/**
 * Verify each record's package and decide, storing the result on the record. A package verified
 * less than `reuseMs` ago is not hashed again; the trust decision is always made afresh.
 */
export async function assessRecords(
  knex: Knex,
  policy: SigningPolicy | undefined,
  records: Iterable<PluginRecord>,
  reuseMs = 0,
): Promise<void> {
  const list = [...records];
  if (!policy) {
    for (const record of list) record.signature = NOT_CHECKED;
    return;
  }
  const trust = await trustSnapshot(knex);
  const firstParty = new Set([...RELEASE_FIRST_PARTY_KEYS, ...(policy.firstPartyKeys ?? [])]);
  // Packages verified side by side: hashing is mostly waiting on the disk.
  await Promise.all(
    list.map(async (record) => {
      if (record.discovered.source === 'inline') {
        record.signature = NOT_CHECKED;
        return;
      }
      const cached = record.verification;
      const verification =
        cached && Date.now() - cached.at <= reuseMs ? cached.result : await verifyPackage(record.discovered.dir);
      if (verification !== cached?.result) record.verification = { result: verification, at: Date.now() };
      record.signature = signatureStatus(verification, trust, firstParty, record.discovered.manifest.id);
    }),
  );
}
