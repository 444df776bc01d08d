/**
 * Personal API tokens for scripts: `hp_` + 32 random bytes (base32), shown once, stored as a
 * SHA-256 hash. A token acts with its scopes, narrowed at every request to what its owner
 * still holds, so losing a permission narrows the owner's tokens too.
 */
import type { DatabaseService } from '@hostplane/sdk';
import { ScopeNotHeld } from '../errors.js';
import { hashToken, randomToken } from './crypto.js';
import { preparedRows } from './prepared.js';
import { totpJoinSql, USER_COLUMNS_SQL, userFromRow, type SessionUser } from './sessions.js';

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
    this.lookupSql = `select t.id, t.user_id, t.name, t.scopes, t.last4, t.created_at, t.expires_at, t.last_used_at,
        ${USER_COLUMNS_SQL}
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

  async revokeAll(userId: string): Promise<number> {
    return this.deps.db.table('api_tokens').where({ user_id: userId }).delete();
  }

  /** The live token and its owner; undefined when unknown or expired. Touches last_used_at. */
  async find(token: string): Promise<{ info: ApiTokenInfo; user: SessionUser } | undefined> {
    const [row] = await preparedRows<Row & Parameters<typeof userFromRow>[0]>(
      this.deps.db.knex,
      'hostplane_auth_api_token_by_hash',
      this.lookupSql,
      [hashToken(token)],
    );
    if (!row) return undefined;
    const now = this.deps.now();
    if (row.expires_at && row.expires_at.getTime() <= now.getTime()) return undefined;
    const info = toInfo(row);
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= TOUCH_INTERVAL_MS) {
      info.lastUsedAt = now;
      await this.deps.db.table('api_tokens').where({ id: row.id }).update({ last_used_at: now });
    }
    return { info, user: userFromRow(row) };
  }
}

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
