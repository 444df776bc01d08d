/**
 * Sessions, after the Lucia guide: a random session token (25 bytes, base32) is given to the
 * client once; the database keeps only its SHA-256 hash, which is the session id. Expiry
 * slides: each use (at most once a minute) pushes it `sessionIdleDays` ahead. Refresh tokens
 * belong to a session (their family); presenting a used one revokes the whole session.
 */
import type { DatabaseService, Role, UserStatus } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { RefreshTokenInvalid, RefreshTokenReused } from '../errors.js';
import { hashToken, hmacBase64url, randomToken } from './crypto.js';
import { preparedRows } from './prepared.js';

const DAY_MS = 86_400_000;
/** A session's last_seen_at / expiry is written at most this often. */
export const TOUCH_INTERVAL_MS = 60_000;

/** A session joined with what the authenticator needs of its user. */
export interface SessionRecord {
  id: string;
  userId: string;
  impersonatorId: string | null;
  twoFactor: boolean;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  user: SessionUser;
}

/** The user behind a session or token, read in the same query. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  parentId: string | null;
  status: UserStatus;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  totpEnabled: boolean;
}

/** What a client receives when a session is created or refreshed. */
export interface NewSession {
  id: string;
  /** The session token (the cookie's value). Shown once. */
  token: string;
  expiresAt: Date;
}

export interface SessionStoreDeps {
  db: DatabaseService;
  now: () => Date;
  idleDays: () => number;
  refreshTtlDays: () => number;
}

interface SessionRow {
  id: string;
  user_id: string;
  impersonator_id: string | null;
  two_factor: boolean;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

/** `extract(epoch)` in whole milliseconds (null stays null). */
export function epochMs(column: string): string {
  return `floor(extract(epoch from ${column}) * 1000)`;
}

/**
 * The user's fields (and 2FA state) at the end of a lookup's JSON array. Needs
 * `join hostplane.users u` and {@link totpJoinSql}.
 */
export const USER_JSON_FIELDS = `u.id, u.email, u.name, u.role, u.parent_id, u.status, ${epochMs('u.email_verified_at')},
    ${epochMs('u.created_at')}, totp.enabled_at is not null`;

/** The user's TOTP row (primary-key lookup), for its 2FA state. */
export function totpJoinSql(schema: string, userIdColumn: string): string {
  return `left join ${schema}.totp_credentials totp on totp.user_id = ${userIdColumn}`;
}

/** The user part of a lookup array, in the order of {@link USER_JSON_FIELDS}. */
export type UserJson = [
  id: string,
  email: string,
  name: string,
  role: Role,
  parentId: string | null,
  status: UserStatus,
  emailVerifiedAt: number | null,
  createdAt: number,
  totpEnabled: boolean,
];

export function userFromJson(u: UserJson): SessionUser {
  return {
    id: u[0],
    email: u[1],
    name: u[2],
    role: u[3],
    parentId: u[4],
    status: u[5],
    emailVerifiedAt: u[6] === null ? null : new Date(u[6]),
    createdAt: new Date(u[7]),
    totpEnabled: u[8],
  };
}

/** Sessions and their refresh tokens. */
export class SessionStore {
  private readonly lookupSql: string;

  constructor(private readonly deps: SessionStoreDeps) {
    const s = deps.db.schema;
    // The one query per authenticated request: primary-key lookups, the user joined for its
    // status. One text column (a JSON array, times in epoch ms) rather than seventeen: pg's
    // per-column work (row description, type parsers, dates) was most of the lookup's cost.
    this.lookupSql = `select json_build_array(s.id, s.impersonator_id, s.two_factor, s.ip, s.user_agent,
        ${epochMs('s.created_at')}, ${epochMs('s.last_seen_at')}, ${epochMs('s.expires_at')}, ${USER_JSON_FIELDS})::text as r
      from ${s}.sessions s join hostplane.users u on u.id = s.user_id ${totpJoinSql(s, 's.user_id')}
      where s.id = $1`;
  }

  /** The id of the session a token belongs to. */
  static idOf(token: string): string {
    return hashToken(token);
  }

  /** The CSRF token of a session: derived, so nothing more to store or look up. */
  static csrfTokenOf(csrfKey: Buffer, sessionId: string): string {
    return hmacBase64url(csrfKey, `csrf:${sessionId}`);
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.deps.idleDays() * DAY_MS);
  }

  /** Start a session; returns its token (shown once) and id. */
  async create(
    input: { userId: string; twoFactor: boolean; impersonatorId?: string | null; ip: string | null; userAgent: string | null },
    trx?: Knex.Transaction,
  ): Promise<NewSession> {
    const now = this.deps.now();
    const token = randomToken(25);
    const id = SessionStore.idOf(token);
    const expiresAt = this.expiryFrom(now);
    await this.deps.db.table('sessions', trx).insert({
      id,
      user_id: input.userId,
      impersonator_id: input.impersonatorId ?? null,
      two_factor: input.twoFactor,
      ip: input.ip,
      user_agent: input.userAgent,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    });
    return { id, token, expiresAt };
  }

  /**
   * The live session with this id, joined with its user; undefined when unknown or expired
   * (an expired one is deleted). Slides the expiry at most once a minute. The caller checks
   * the user's status.
   */
  async find(id: string): Promise<SessionRecord | undefined> {
    const [row] = await preparedRows<{ r: string }>(this.deps.db.knex, 'hostplane_auth_session_by_id', this.lookupSql, [id]);
    if (!row) return undefined;
    const record = fromLookup(JSON.parse(row.r) as LookupRow);
    const now = this.deps.now();
    if (record.expiresAt.getTime() <= now.getTime()) {
      await this.deps.db.table('sessions').where({ id }).delete();
      return undefined;
    }
    if (now.getTime() - record.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      record.lastSeenAt = now;
      record.expiresAt = this.expiryFrom(now);
      await this.deps.db.table('sessions').where({ id }).update({ last_seen_at: now, expires_at: record.expiresAt });
    }
    return record;
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<Omit<SessionRecord, 'user'>[]> {
    const rows = (await this.deps.db
      .table('sessions')
      .where({ user_id: userId })
      .andWhere('expires_at', '>', this.deps.now())
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(500)
      .select('*')) as unknown as SessionRow[];
    return rows.map(toSessionInfo);
  }

  /** End one session of `userId`; false when it is not theirs (or gone). */
  async revoke(userId: string, id: string, trx?: Knex.Transaction): Promise<boolean> {
    return (await this.deps.db.table('sessions', trx).where({ id, user_id: userId }).delete()) > 0;
  }

  /** End every session of `userId` except `keep`; returns how many. */
  async revokeAll(userId: string, options: { except?: string; trx?: Knex.Transaction } = {}): Promise<number> {
    const query = this.deps.db.table('sessions', options.trx).where({ user_id: userId });
    if (options.except) query.whereNot({ id: options.except });
    return query.delete();
  }

  /** Issue a refresh token for a session. Shown once; only its hash is kept. */
  async issueRefreshToken(sessionId: string, trx?: Knex.Transaction): Promise<{ token: string; expiresAt: Date }> {
    const now = this.deps.now();
    const token = randomToken(32);
    const expiresAt = new Date(now.getTime() + this.deps.refreshTtlDays() * DAY_MS);
    await this.deps.db
      .table('refresh_tokens', trx)
      .insert({ session_id: sessionId, token_hash: hashToken(token), created_at: now, expires_at: expiresAt });
    return { token, expiresAt };
  }

  /**
   * Exchange a refresh token for a new one of the same session. A token already used means it
   * was copied: the session and all its tokens are revoked (committed) and
   * AUTH_ERR_REFRESH_REUSED is thrown, with the owner's id in `details` for the audit entry.
   */
  async rotate(refreshToken: string): Promise<{ session: SessionRecord; refreshToken: string; refreshExpiresAt: Date }> {
    const { db } = this.deps;
    const now = this.deps.now();
    const outcome = await db.transaction(async (trx) => {
      const row = (await db
        .table('refresh_tokens', trx)
        .where({ token_hash: hashToken(refreshToken) })
        .forUpdate()
        .first()) as { id: string; session_id: string; expires_at: Date; used_at: Date | null } | undefined;
      if (!row) return { kind: 'invalid' as const };
      const session = (await db.table('sessions', trx).where({ id: row.session_id }).first('user_id', 'expires_at')) as
        { user_id: string; expires_at: Date } | undefined;
      if (!session) return { kind: 'invalid' as const };
      if (row.used_at !== null) {
        await db.table('sessions', trx).where({ id: row.session_id }).delete();
        return { kind: 'reused' as const, userId: session.user_id, sessionId: row.session_id };
      }
      if (row.expires_at.getTime() <= now.getTime() || session.expires_at.getTime() <= now.getTime()) {
        return { kind: 'invalid' as const };
      }
      await db.table('refresh_tokens', trx).where({ id: row.id }).update({ used_at: now });
      const next = await this.issueRefreshToken(row.session_id, trx);
      await db
        .table('sessions', trx)
        .where({ id: row.session_id })
        .update({ last_seen_at: now, expires_at: this.expiryFrom(now) });
      return { kind: 'rotated' as const, sessionId: row.session_id, next };
    });
    if (outcome.kind === 'invalid') throw RefreshTokenInvalid();
    if (outcome.kind === 'reused') {
      const err = RefreshTokenReused();
      reusedBy.set(err, { userId: outcome.userId, sessionId: outcome.sessionId });
      throw err;
    }
    const session = await this.find(outcome.sessionId);
    if (!session) throw RefreshTokenInvalid();
    return { session, refreshToken: outcome.next.token, refreshExpiresAt: outcome.next.expiresAt };
  }

  /** Delete sessions and refresh tokens past their end (housekeeping at start). */
  async prune(): Promise<number> {
    const now = this.deps.now();
    await this.deps.db.table('refresh_tokens').where('expires_at', '<=', now).delete();
    return this.deps.db.table('sessions').where('expires_at', '<=', now).delete();
  }
}

// Who a reuse error was about, for the route's audit entry, kept off the error's public details.
const reusedBy = new WeakMap<Error, { userId: string; sessionId: string }>();

/** The owner and session of a refresh-reuse error thrown by {@link SessionStore.rotate}. */
export function reuseVictim(err: unknown): { userId: string; sessionId: string } | undefined {
  return err instanceof Error ? reusedBy.get(err) : undefined;
}

/** The session lookup's JSON array, in the order of its select list. */
type LookupRow = [
  id: string,
  impersonatorId: string | null,
  twoFactor: boolean,
  ip: string | null,
  userAgent: string | null,
  createdAt: number,
  lastSeenAt: number,
  expiresAt: number,
  ...user: UserJson,
];

function fromLookup(r: LookupRow): SessionRecord {
  const user = userFromJson(r.slice(8) as UserJson);
  return {
    id: r[0],
    userId: user.id,
    impersonatorId: r[1],
    twoFactor: r[2],
    ip: r[3],
    userAgent: r[4],
    createdAt: new Date(r[5]),
    lastSeenAt: new Date(r[6]),
    expiresAt: new Date(r[7]),
    user,
  };
}

function toSessionInfo(row: SessionRow): Omit<SessionRecord, 'user'> {
  return {
    id: row.id,
    userId: row.user_id,
    impersonatorId: row.impersonator_id,
    twoFactor: row.two_factor,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}
