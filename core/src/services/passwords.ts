/** Password hashing: argon2id with OWASP's minimum parameters (m=19456 KiB, t=2, p=1). */
import type * as Argon2 from '@node-rs/argon2';
import type { Algorithm, Options } from '@node-rs/argon2';

// Loaded on first use: a host that hashes nothing at boot should not pay for the native module.
let argon2: Promise<typeof Argon2> | undefined;
const load = () => (argon2 ??= import('@node-rs/argon2'));

// `Algorithm` is an ambient const enum, which isolatedModules cannot inline; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id */
const OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Hash a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) carrying salt and parameters. */
export async function hashPassword(password: string): Promise<string> {
  return (await load()).hash(password, OPTIONS);
}

/**
 * True when `password` matches `passwordHash`. A malformed hash gives false rather than an
 * error: to a login it is simply a password that does not match.
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (typeof passwordHash !== 'string' || typeof password !== 'string' || !passwordHash.startsWith('$argon2')) return false;
  try {
    return await (await load()).verify(passwordHash, password);
  } catch {
    return false;
  }
}
