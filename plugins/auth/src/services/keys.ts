/**
 * The plugin's keys, derived from one master secret: the configured `jwtSecret`, or 32 random
 * bytes made on the first start and kept in the plugin's settings. Loaded in `start`; routes and
 * the authenticator read them through a {@link KeyRing}.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { DatabaseService, SettingsService } from '@hostplane/sdk';
import { NotReady, SecretTooShort } from '../errors.js';
import { deriveKey } from './crypto.js';

/** Keys for each purpose; never the same bytes twice. */
export interface AuthKeys {
  /** HS256 key of access tokens (a KeyObject: no key setup per HMAC). */
  jwt: KeyObject;
  /** AES-256-GCM key of stored TOTP secrets. */
  totp: Buffer;
  /** HMAC key binding CSRF tokens to sessions. */
  csrf: Buffer;
  /** HMAC key binding device cookies to the account they signed in to. */
  device: Buffer;
}

const SETTING = 'jwtSecret';
// Any fixed 64-bit number unique to this purpose; serialises first starts across processes.
const LOCK_ID = 0x68706175746801n;

/** Holds the keys once loaded. */
export class KeyRing {
  private keys: AuthKeys | undefined;

  get(): AuthKeys {
    if (!this.keys) throw NotReady();
    return this.keys;
  }

  set(keys: AuthKeys | undefined): void {
    this.keys = keys;
  }
}

/** Derive the purpose keys from a master secret. */
export function deriveKeys(master: Uint8Array): AuthKeys {
  return {
    jwt: createSecretKey(deriveKey(master, 'jwt-hs256')),
    totp: deriveKey(master, 'totp-secret'),
    csrf: deriveKey(master, 'csrf'),
    device: deriveKey(master, 'device-cookie'),
  };
}

/**
 * The master secret: the configured one, else the stored one, else a new one stored now. A
 * transaction-scoped advisory lock makes two hosts starting at once agree on one secret.
 */
export async function loadMasterSecret(configured: string, settings: SettingsService, db: DatabaseService): Promise<Uint8Array> {
  if (configured !== '') {
    if (configured.length < 32) throw SecretTooShort();
    return new TextEncoder().encode(configured);
  }
  const stored = await settings.get<string>(SETTING);
  if (typeof stored === 'string' && stored !== '') return Buffer.from(stored, 'base64url');
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?::bigint)', [LOCK_ID.toString()]);
    const again = await settings.get<string>(SETTING);
    if (typeof again === 'string' && again !== '') return Buffer.from(again, 'base64url');
    const fresh = new Uint8Array(32);
    crypto.getRandomValues(fresh);
    await settings.set(SETTING, Buffer.from(fresh).toString('base64url'));
    return fresh;
  });
}
