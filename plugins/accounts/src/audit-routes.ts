/**
 * `GET /v1/audit`: the audit log, newest first, cursor-paged. Admins read everything; resellers
 * the entries whose actor is in their subtree (tenancy rule on `actor_id`, inside the query).
 */
import { Type, type RouteApp } from '@hostplane/sdk';
import { actorOf, DateTime, errorResponses, Uuid, type AccountsDeps } from './common.js';

const AuditQuery = Type.Object(
  {
    actorId: Type.Optional(Uuid),
    action: Type.Optional(Type.String({ pattern: '^[a-z0-9_.-]{1,200}$' })),
    since: Type.Optional(DateTime),
    until: Type.Optional(DateTime),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    // At most 18 digits: 19 admit values past bigint's range, a 500 from PostgreSQL.
    beforeId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'Next page: entries older than this id' })),
  },
  { additionalProperties: false },
);

const EntrySchema = Type.Object({
  id: Type.String(),
  at: DateTime,
  source: Type.String(),
  actorId: Type.Union([Uuid, Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  details: Type.Object({}, { additionalProperties: true }),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
});

interface Row {
  id: string;
  at: Date;
  source: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  request_id: string | null;
}

export function auditRoutes(deps: Pick<AccountsDeps, 'db' | 'tenancy'>) {
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'accounts.audit.read' },
        schema: {
          summary: 'Audit entries, newest first (resellers: actions of their subtree)',
          tags: ['audit'],
          querystring: AuditQuery,
          response: {
            200: Type.Object({ items: Type.Array(EntrySchema), nextBeforeId: Type.Union([Type.String(), Type.Null()]) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const query = deps.tenancy.scope(deps.db.knex('hostplane.audit_log as a').select('a.*'), actorOf(request), 'a.actor_id');
        if (q.actorId) query.where('a.actor_id', q.actorId);
        if (q.action) query.where('a.action', q.action);
        if (q.since) query.where('a.at', '>=', new Date(q.since));
        if (q.until) query.where('a.at', '<', new Date(q.until));
        if (q.beforeId) query.where('a.id', '<', q.beforeId);
        const rows = (await query.orderBy('a.id', 'desc').limit(q.limit + 1)) as Row[];
        const page = rows.slice(0, q.limit);
        return {
          items: page.map((r) => ({
            id: r.id,
            at: r.at.toISOString(),
            source: r.source,
            actorId: r.actor_id,
            action: r.action,
            target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id } : null,
            details: r.details,
            ip: r.ip,
            requestId: r.request_id,
          })),
          nextBeforeId: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
        };
      },
    );
  };
}
