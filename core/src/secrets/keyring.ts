/**
 * The keys this process can use, and which one encrypts. The database remembers the id of the
 * active key (never the key): a process whose key does not match refuses to start with a message
 * naming what to restore, instead of writing values nobody could read again. Opening also
 * finishes a rotation that committed but crashed before its key file was renamed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { SecretsErrors } from './errors.js';
import { decryptSecret, encryptSecret, secretKey, type SecretKey } from './envelope.js';
import { KEY_FILE, NEXT_KEY_FILE, parseKey, readKeyFile, removeKeyFile, replaceKeyFile, writeKeyFile } from './key-file.js';

/** Where the key comes from. */
export interface SecretKeySource {
  /** `HOSTPLANE_DATA_DIR`: the key lives in `<dataDir>/secret.key`, created at first start. */
  dataDir?: string;
  /** `HOSTPLANE_SECRET_KEY`: the key itself (base64 of 32 bytes); wins over the file. */
  key?: string;
  /** `HOSTPLANE_NEW_SECRET_KEY`: during and after a rotation with keys in the environment. */
  newKey?: string;
  /**
   * A key held in memory by this process only (tests, `startTestHost`): nothing it encrypts
   * survives the process, so the host never uses it.
   */
  ephemeral?: true;
}

/** How the key was found, for `hostplane secrets status`. */
export type KeyOrigin = { kind: 'file'; path: string } | { kind: 'env'; variable: string } | { kind: 'ephemeral' };

/** Keys by id, the active one, and the generic encrypt/decrypt every store of secrets uses. */
export class Keyring {
  readonly keys: ReadonlyMap<string, SecretKey>;
  constructor(
    readonly active: SecretKey,
    readonly origin: KeyOrigin,
    readonly source: SecretKeySource,
    /** Keys this process held before (a rotation it saw): values it still holds in memory decrypt. */
    earlier: Iterable<SecretKey> = [],
  ) {
    this.keys = new Map([...[...earlier].map((k) => [k.id, k] as const), [active.id, active]]);
  }

  /** This keyring after a rotation to `next`: encrypts with it, still decrypts with the others. */
  succeededBy(next: Keyring): Keyring {
    return new Keyring(next.active, next.origin, next.source, this.keys.values());
  }

  /** Encrypt for a purpose (`plugin-config`, `database-role` …) and a context it is bound to. */
  encryptSecret(purpose: string, context: string, plaintext: string): string {
    return encryptSecret(this.active, purpose, context, plaintext);
  }

  /** Decrypt what {@link encryptSecret} made with the same purpose and context. */
  decryptSecret(purpose: string, context: string, envelope: string): string {
    return decryptSecret(this.keys, purpose, context, envelope);
  }
}

let processKey: SecretKey | undefined;

/** The active key id stored in the database, if any. */
export async function activeKeyId(knex: Knex): Promise<string | undefined> {
  const row = await knex('hostplane.secret_keys').where({ state: 'active' }).first('id');
  return (row as { id?: string } | undefined)?.id;
}

/** Open the keyring for `source`, checked against (or registered in) the database. */
export async function openKeyring(knex: Knex, source: SecretKeySource): Promise<Keyring> {
  if (source.ephemeral || (!source.key && !source.dataDir)) {
    processKey ??= secretKey(randomBytes(32));
    return new Keyring(processKey, { kind: 'ephemeral' }, { ephemeral: true });
  }
  if (source.key) return openFromEnv(knex, source, await activeKeyId(knex));
  // Under the rotation lock: a rotation in progress in another process holds it from writing its
  // next file until its commit, so what this sees of the files and the database agrees.
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [ROTATION_LOCK]);
    return openFromFile(trx, source, source.dataDir as string, await activeKeyId(trx));
  });
}

/** The advisory lock rotations and key-file decisions take (per database). */
export const ROTATION_LOCK = 'hostplane.secrets:rotate';

async function openFromEnv(knex: Knex, source: SecretKeySource, active: string | undefined): Promise<Keyring> {
  const current = parseKey(source.key as string, 'HOSTPLANE_SECRET_KEY');
  const next = source.newKey ? parseKey(source.newKey, 'HOSTPLANE_NEW_SECRET_KEY') : undefined;
  if (active === undefined) {
    await register(knex, current, 'HOSTPLANE_SECRET_KEY');
    return new Keyring(current, { kind: 'env', variable: 'HOSTPLANE_SECRET_KEY' }, source);
  }
  if (current.id === active) return new Keyring(current, { kind: 'env', variable: 'HOSTPLANE_SECRET_KEY' }, source);
  // A rotation committed with the new key; the operator has not swapped the variables yet.
  if (next?.id === active) return new Keyring(next, { kind: 'env', variable: 'HOSTPLANE_NEW_SECRET_KEY' }, source);
  throw SecretsErrors.keyMissing(active, `HOSTPLANE_SECRET_KEY holds key ${current.id}`);
}

async function openFromFile(knex: Knex, source: SecretKeySource, dataDir: string, active: string | undefined): Promise<Keyring> {
  const path = join(dataDir, KEY_FILE);
  const nextPath = join(dataDir, NEXT_KEY_FILE);
  const current = await readKeyFile(path);
  const next = await readKeyFile(nextPath);
  const origin: KeyOrigin = { kind: 'file', path };
  if (active === undefined) {
    // First start (no key registered yet). A stray next file cannot belong to a rotation.
    if (next) await removeKeyFile(nextPath);
    const key = current ?? (await created(path));
    await register(knex, key, path);
    return new Keyring(key, origin, source);
  }
  if (current?.id === active) {
    // A rotation that crashed before its commit left its new key behind: the old one is right.
    if (next) await removeKeyFile(nextPath);
    return new Keyring(current, origin, source);
  }
  if (next?.id === active) {
    // A rotation committed, then crashed before the rename: finish it.
    await replaceKeyFile(nextPath, path);
    return new Keyring(next, origin, source);
  }
  throw SecretsErrors.keyMissing(active, current ? `${path} holds key ${current.id}` : `${path} does not exist`);
}

/** A new key file, unless another process sharing the folder made one first (then that one). */
async function created(path: string): Promise<SecretKey> {
  const key = secretKey(randomBytes(32));
  const written = await writeKeyFile(path, key, { replace: false });
  return written ? key : ((await readKeyFile(path)) as SecretKey);
}

/** Record `key` as active unless another process registered one first (then it must be the same). */
async function register(knex: Knex, key: SecretKey, where: string): Promise<void> {
  await knex.raw(`insert into hostplane.secret_keys (id, state) values (?, 'active') on conflict do nothing`, [key.id]);
  const active = await activeKeyId(knex);
  if (active !== key.id) throw SecretsErrors.keyMissing(String(active), `${where} holds key ${key.id}`);
}
