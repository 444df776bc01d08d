/** Trusted signer keys and unsigned-plugin allowances, in the core schema. */
import type { Knex } from 'knex';
import { SigningErrors } from './errors.js';
import { parsePublicKey } from './keys.js';

/** A signer key an admin trusts. */
export interface TrustedSigner {
  keyId: string;
  name: string;
  publicKey: string;
  createdAt: string;
}

/** Everything a trust decision reads, taken at once. */
export interface TrustSnapshot {
  signers: ReadonlyMap<string, TrustedSigner>;
  allowed: ReadonlySet<string>;
}

interface SignerRow {
  key_id: string;
  name: string;
  public_key: string;
  created_at: Date;
}

function toSigner(row: SignerRow): TrustedSigner {
  return { keyId: row.key_id, name: row.name, publicKey: row.public_key, createdAt: row.created_at.toISOString() };
}

export async function listSigners(knex: Knex): Promise<TrustedSigner[]> {
  return (await knex<SignerRow>('hostplane.plugin_signers').select('*').orderBy('name')).map(toSigner);
}

/** Trust `publicKeyText` under `name`; trusting a key again renames it. */
export async function trustSigner(knex: Knex, publicKeyText: string, name: string): Promise<TrustedSigner> {
  const key = parsePublicKey(publicKeyText);
  const clean = name.trim();
  if (clean.length < 1 || clean.length > 100) throw SigningErrors.nameInvalid('must be 1 to 100 characters');
  if ([...clean].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw SigningErrors.nameInvalid('must not contain control characters');
  const [row] = await knex<SignerRow>('hostplane.plugin_signers')
    .insert({ key_id: key.keyId, name: clean, public_key: key.publicKey })
    .onConflict('key_id')
    .merge(['name'])
    .returning('*');
  return toSigner(row as SignerRow);
}

/** Stop trusting a key (by id or public key). */
export async function untrustSigner(knex: Knex, key: string): Promise<TrustedSigner> {
  const keyId = /^[0-9a-f]{16}$/.test(key) ? key : parsePublicKey(key).keyId;
  const [row] = await knex<SignerRow>('hostplane.plugin_signers').where({ key_id: keyId }).delete().returning('*');
  if (!row) throw SigningErrors.signerNotFound(key);
  return toSigner(row as SignerRow);
}

export async function listAllowances(knex: Knex): Promise<string[]> {
  return knex('hostplane.plugin_allowances').orderBy('plugin_id').pluck('plugin_id');
}

/** Allow plugin `id` to run unsigned or signed by an untrusted key. */
export async function allowUnsigned(knex: Knex, id: string): Promise<void> {
  await knex('hostplane.plugin_allowances').insert({ plugin_id: id }).onConflict('plugin_id').ignore();
}

export async function revokeUnsigned(knex: Knex, id: string): Promise<void> {
  const count = await knex('hostplane.plugin_allowances').where({ plugin_id: id }).delete();
  if (count === 0) throw SigningErrors.allowanceNotFound(id);
}

export async function trustSnapshot(knex: Knex): Promise<TrustSnapshot> {
  const [signers, allowed] = await Promise.all([listSigners(knex), listAllowances(knex)]);
  return { signers: new Map(signers.map((s) => [s.keyId, s])), allowed: new Set(allowed) };
}
