/**
 * TOTP (RFC 6238: SHA-1, 30 s, 6 digits — what every authenticator app reads) with @oslojs/otp,
 * and one-time recovery codes. The TOTP secret is stored encrypted (AES-256-GCM, key derived
 * from the master secret, bound to the user id); each accepted code records its time step, and
 * a code of that step or an earlier one is refused, so a code works once.
 */
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import type { DatabaseService, Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { renderSVG } from 'uqr';
import { TwoFactorAlreadyEnabled, TwoFactorNotEnabled, TwoFactorNotSetUp } from '../errors.js';
import { hashToken, open, randomToken, seal } from './crypto.js';
import type { KeyRing } from './keys.js';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps either side of now that are accepted (clock drift, typing time). */
const DRIFT_STEPS = 1;
export const RECOVERY_CODE_COUNT = 10;

interface CredentialRow {
  user_id: string;
  secret_enc: string;
  enabled_at: Date | null;
  last_used_step: string | null;
}

export interface TwoFactorDeps {
  db: DatabaseService;
  logger: Logger;
  now: () => Date;
  keys: KeyRing;
  issuer: () => string;
}

/** What the setup answers: shown once, for the authenticator app. */
export interface TotpSetup {
  /** Base32, for typing into an app by hand. */
  secret: string;
  otpauthUri: string;
  /** `data:image/svg+xml;base64,…` of the URI as a QR code. */
  qrCodeSvg: string;
}

export class TwoFactor {
  constructor(private readonly deps: TwoFactorDeps) {}

  private context(userId: string): string {
    return `totp:${userId}`;
  }

  private credential(userId: string, trx?: Knex.Transaction): Promise<CredentialRow | undefined> {
    return this.deps.db.table<CredentialRow>('totp_credentials', trx).where({ user_id: userId }).first();
  }

  /**
   * The stored secret, or undefined when it cannot be decrypted: the master secret changed.
   * Codes then fail, while recovery codes (hashed, not encrypted) still sign in and can turn
   * 2FA off, so nobody is locked out for good.
   */
  private openSecret(userId: string, sealed: string): Uint8Array | undefined {
    try {
      return open(this.deps.keys.get().totp, sealed, this.context(userId));
    } catch {
      this.deps.logger.warn({ userId }, 'TOTP secret cannot be decrypted (was jwtSecret changed?); recovery codes still work');
      return undefined;
    }
  }

  /** Whether 2FA is on, and how many recovery codes are left. */
  async status(userId: string): Promise<{ enabled: boolean; pending: boolean; recoveryCodesLeft: number }> {
    const row = await this.credential(userId);
    const left = await this.deps.db
      .table('recovery_codes')
      .where({ user_id: userId })
      .whereNull('used_at')
      .count<{ count: string }[]>({ count: '*' })
      .first();
    return { enabled: !!row?.enabled_at, pending: !!row && !row.enabled_at, recoveryCodesLeft: Number(left?.count ?? 0) };
  }

  /** Make a new secret, pending until {@link enable}. Refused while 2FA is on. */
  async beginSetup(user: { id: string; email: string }): Promise<TotpSetup> {
    const existing = await this.credential(user.id);
    if (existing?.enabled_at) throw TwoFactorAlreadyEnabled();
    const key = new Uint8Array(20);
    crypto.getRandomValues(key);
    const sealed = seal(this.deps.keys.get().totp, key, this.context(user.id));
    await this.deps.db.knex.raw(
      `insert into ${this.deps.db.schema}.totp_credentials (user_id, secret_enc, created_at) values (?, ?, ?)
       on conflict (user_id) do update set secret_enc = excluded.secret_enc, last_used_step = null,
         created_at = excluded.created_at
       where ${this.deps.db.schema}.totp_credentials.enabled_at is null`,
      [user.id, sealed, this.deps.now()],
    );
    const otpauthUri = createTOTPKeyURI(this.deps.issuer(), user.email, key, PERIOD_SECONDS, DIGITS);
    const svg = renderSVG(otpauthUri, { ecc: 'M', border: 2 });
    return {
      secret: encodeBase32UpperCaseNoPadding(key),
      otpauthUri,
      qrCodeSvg: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    };
  }

  /**
   * Check `code` against the user's secret (enabled, or pending when `pending`), and record
   * its step so it cannot be used again. False for a wrong or replayed code.
   */
  async verifyCode(userId: string, code: string, options: { pending?: boolean; trx?: Knex.Transaction } = {}): Promise<boolean> {
    const row = await this.credential(userId, options.trx);
    if (!row) return false;
    if (!options.pending && !row.enabled_at) return false;
    if (!/^[0-9]{6}$/.test(code)) return false;
    const key = this.openSecret(userId, row.secret_enc);
    if (!key) return false;
    const current = Math.floor(this.deps.now().getTime() / (PERIOD_SECONDS * 1000));
    let matched: number | undefined;
    // Every candidate is computed (no early exit), so timing does not tell which step matched.
    for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
      if (verifyHOTP(key, BigInt(step), DIGITS, code)) matched = step;
    }
    if (matched === undefined) return false;
    const updated = await this.deps.db
      .table('totp_credentials', options.trx)
      .where({ user_id: userId })
      .andWhere((q) => q.whereNull('last_used_step').orWhere('last_used_step', '<', matched))
      .update({ last_used_step: matched });
    return updated > 0;
  }

  /** Confirm the pending secret with a first code; returns fresh recovery codes (shown once). */
  async enable(userId: string, code: string): Promise<string[] | undefined> {
    const row = await this.credential(userId);
    if (!row) throw TwoFactorNotSetUp();
    if (row.enabled_at) throw TwoFactorAlreadyEnabled();
    if (!(await this.verifyCode(userId, code, { pending: true }))) return undefined;
    return this.deps.db.transaction(async (trx) => {
      await this.deps.db.table('totp_credentials', trx).where({ user_id: userId }).update({ enabled_at: this.deps.now() });
      return this.replaceRecoveryCodes(userId, trx);
    });
  }

  /** Turn 2FA off: secret and recovery codes are deleted. */
  async disable(userId: string): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      const deleted = await this.deps.db.table('totp_credentials', trx).where({ user_id: userId }).delete();
      if (deleted === 0) throw TwoFactorNotEnabled();
      await this.deps.db.table('recovery_codes', trx).where({ user_id: userId }).delete();
    });
  }

  /** True when 2FA is on for the user. */
  async isEnabled(userId: string): Promise<boolean> {
    return !!(await this.credential(userId))?.enabled_at;
  }

  /** New recovery codes replacing the old ones (shown once). */
  async replaceRecoveryCodes(userId: string, trx?: Knex.Transaction): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => formatRecoveryCode(randomToken(20).slice(0, 16)));
    const now = this.deps.now();
    await this.deps.db.table('recovery_codes', trx).where({ user_id: userId }).delete();
    await this.deps.db
      .table('recovery_codes', trx)
      .insert(codes.map((code) => ({ user_id: userId, code_hash: hashRecoveryCode(code), created_at: now })));
    return codes;
  }

  /** Use a recovery code up; false when it is not one of the user's unused codes. */
  async useRecoveryCode(userId: string, code: string): Promise<boolean> {
    const updated = await this.deps.db
      .table('recovery_codes')
      .where({ user_id: userId, code_hash: hashRecoveryCode(code) })
      .whereNull('used_at')
      .update({ used_at: this.deps.now() });
    return updated > 0;
  }
}

/** `abcd-efgh-ijkl-mnop`: 16 base32 characters (80 bits), grouped for reading aloud. */
function formatRecoveryCode(raw: string): string {
  return raw.match(/.{4}/g)!.join('-');
}

/** Codes are compared without dashes, spaces or case. */
export function hashRecoveryCode(code: string): string {
  return hashToken(`recovery:${code.toLowerCase().replace(/[^a-z0-9]/g, '')}`);
}
