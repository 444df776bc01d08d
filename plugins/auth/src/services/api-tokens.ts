/**
 * Personal API tokens for scripts: `hp_` + 32 random bytes (base32), shown once, stored as a
 * SHA-256 hash. A token acts with its scopes, narrowed at every request to what its owner
 * still holds, so losing a permission narrows the owner's tokens too.
 */
import type { DatabaseService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { ScopeNotHeld } from '../errors.js';
import { hashToken, randomToken } from './crypto.js';
import { preparedRows } from './prepared.js';
import { epochMs, totpJoinSql, USER_JSON_FIELDS, userFromJson, type SessionUser, type UserJson } from './sessions.js';

export const API_TOKEN_PREFIX = 'hp_' as const;
/** last_used_at is written at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ApiTokenInfo {
  id: string;
  name: string;
  scopes: string[];
  last4: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

interface Row {
  id: string;
  user_id: string;
  name: string;
  scopes: string[];
  last4: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

export class ApiTokens {
  private readonly lookupSql: string;

  constructor(private readonly deps: { db: DatabaseService; now: () => Date }) {
    const s = deps.db.schema;
    // One text column, as the session lookup (see there why).
    this.lookupSql = `select json_build_array(t.id, t.name, t.scopes, t.last4, ${epochMs('t.created_at')},
        ${epochMs('t.expires_at')}, ${epochMs('t.last_used_at')}, ${USER_JSON_FIELDS})::text as r
      from ${s}.api_tokens t join hostplane.users u on u.id = t.user_id ${totpJoinSql(s, 't.user_id')}
      where t.token_hash = $1`;
  }

  /** Create a token; `held` is what the creator holds, and scopes beyond it are refused. */
  async create(
    userId: string,
    input: { name: string; scopes: string[]; expiresAt: Date | null },
    held: ReadonlySet<string>,
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    const scopes = [...new Set(input.scopes)].sort();
    const missing = scopes.filter((s) => !held.has(s));
    if (missing.length > 0) throw ScopeNotHeld(missing);
    const token = API_TOKEN_PREFIX + randomToken(32);
    const [row] = (await this.deps.db
      .table('api_tokens')
      .insert({
        user_id: userId,
        name: input.name,
        token_hash: hashToken(token),
        last4: token.slice(-4),
        scopes,
        created_at: this.deps.now(),
        expires_at: input.expiresAt,
      })
      .returning('*')) as unknown as Row[];
    return { token, info: toInfo(row as Row) };
  }

  async list(userId: string): Promise<ApiTokenInfo[]> {
    const rows = (await this.deps.db
      .table('api_tokens')
      .where({ user_id: userId })
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
      .limit(500)
      .select('*')) as unknown as Row[];
    return rows.map(toInfo);
  }

  /** Revoke one of the user's tokens; false when it is not theirs. */
  async revoke(userId: string, id: string): Promise<boolean> {
    return (await this.deps.db.table('api_tokens').where({ id, user_id: userId }).delete()) > 0;
  }

  /** Revoke every token of the user (inside the caller's transaction when given). */
  async revokeAll(userId: string, trx?: Knex.Transaction): Promise<number> {
    return this.deps.db.table('api_tokens', trx).where({ user_id: userId }).delete();
  }

  /** The live token and its owner; undefined when unknown or expired. Touches last_used_at. */
  async find(token: string): Promise<{ info: ApiTokenInfo; user: SessionUser } | undefined> {
    const [row] = await preparedRows<{ r: string }>(this.deps.db.knex, 'hostplane_auth_api_token_by_hash', this.lookupSql, [
      hashToken(token),
    ]);
    if (!row) return undefined;
    const r = JSON.parse(row.r) as LookupRow;
    const info: ApiTokenInfo = {
      id: r[0],
      name: r[1],
      scopes: r[2],
      last4: r[3],
      createdAt: new Date(r[4]),
      expiresAt: r[5] === null ? null : new Date(r[5]),
      lastUsedAt: r[6] === null ? null : new Date(r[6]),
    };
    const now = this.deps.now();
    if (info.expiresAt && info.expiresAt.getTime() <= now.getTime()) return undefined;
    if (!info.lastUsedAt || now.getTime() - info.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
      info.lastUsedAt = now;
      await this.deps.db.table('api_tokens').where({ id: info.id }).update({ last_used_at: now });
    }
    return { info, user: userFromJson(r.slice(7) as UserJson) };
  }
}

/** The token lookup's JSON array, in the order of its select list. */
type LookupRow = [
  id: string,
  name: string,
  scopes: string[],
  last4: string,
  createdAt: number,
  expiresAt: number | null,
  lastUsedAt: number | null,
  ...user: UserJson,
];

function toInfo(row: Row): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    last4: row.last4,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}
