/**
 * `GET /v1/audit`: the audit log, newest first, cursor-paged. Admins read everything; resellers
 * the entries whose actor is in their subtree (tenancy rule on `actor_id`, inside the query).
 * Each entry names people and things (actor, the impersonator behind an impersonated act, the
 * target) so a reader never has to look ids up.
 */
import { Type, type RouteApp } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { actorOf, DateTime, errorResponses, likePattern, Uuid, type AccountsDeps } from './common.js';

const Search = Type.String({ minLength: 1, maxLength: 200 });

const AuditQuery = Type.Object(
  {
    actorId: Type.Optional(Uuid),
    actorEmail: Type.Optional({
      ...Search,
      description: 'Part of the e-mail of the actor, or of the impersonator who acted as them',
    }),
    target: Type.Optional({
      ...Search,
      description: 'The target id, or part of its name: a user’s e-mail or name, a package name, a website’s domain',
    }),
    action: Type.Optional(Type.String({ pattern: '^[a-z0-9_.-]{1,200}$' })),
    since: Type.Optional(DateTime),
    until: Type.Optional(DateTime),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    // At most 18 digits: 19 admit values past bigint's range, a 500 from PostgreSQL.
    beforeId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'Next page: entries older than this id' })),
  },
  { additionalProperties: false },
);

const Person = Type.Union([Type.Object({ id: Uuid, name: Type.String(), email: Type.String() }), Type.Null()]);

const EntrySchema = Type.Object({
  id: Type.String(),
  at: DateTime,
  source: Type.String(),
  actorId: Type.Union([Uuid, Type.Null()]),
  actor: { ...Person, description: 'Who the entry is recorded under (null: the system or the CLI)' },
  impersonator: { ...Person, description: 'Who really acted, when the actor was impersonated' },
  action: Type.String(),
  target: Type.Union([
    Type.Object({
      type: Type.String(),
      id: Type.String(),
      label: Type.Union([Type.String(), Type.Null()], { description: 'A name for people: e-mail, package name, domain' }),
    }),
    Type.Null(),
  ]),
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
  actor_name: string | null;
  actor_email: string | null;
  imp_id: string | null;
  imp_name: string | null;
  imp_email: string | null;
  target_label: string | null;
}

/** The log joined with the names of the people and things it mentions. */
function namedEntries(knex: Knex, schema: string): Knex.QueryBuilder {
  const targetIs = (alias: string, type: string) => `a.target_type = '${type}' and ${alias}.id::text = a.target_id`;
  return (knex('hostplane.audit_log as a') as Knex.QueryBuilder)
    .leftJoin('hostplane.users as u', 'u.id', 'a.actor_id')
    .joinRaw(`left join hostplane.users as i on i.id::text = a.details->>'impersonatorId'`)
    .joinRaw(`left join hostplane.users as tu on ${targetIs('tu', 'user')}`)
    .joinRaw(`left join ${schema}.packages as tp on ${targetIs('tp', 'package')}`)
    .joinRaw(`left join ${schema}.subscriptions as ts on ${targetIs('ts', 'subscription')}`)
    .leftJoin(`${schema}.packages as tsp`, 'tsp.id', 'ts.package_id')
    .leftJoin('hostplane.users as tsu', 'tsu.id', 'ts.customer_id')
    .select(
      'a.*',
      'u.name as actor_name',
      'u.email as actor_email',
      'i.id as imp_id',
      'i.name as imp_name',
      'i.email as imp_email',
      // Websites live in another plugin's schema: their entries carry the domain.
      knex.raw(`coalesce(tu.email, tp.name, tsp.name || ' for ' || tsu.email, a.details->>'domain') as target_label`),
    );
}

function person(id: string | null, name: string | null, email: string | null) {
  return id && email !== null ? { id, name: name ?? '', email } : null;
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
        const query = deps.tenancy.scope(namedEntries(deps.db.knex, deps.db.schema), actorOf(request), 'a.actor_id');
        if (q.actorId) query.where('a.actor_id', q.actorId);
        if (q.actorEmail) {
          const like = likePattern(q.actorEmail);
          query.where((w) => w.whereILike('u.email', like).orWhereILike('i.email', like));
        }
        if (q.target) {
          const like = likePattern(q.target);
          query.where((w) =>
            w
              .where('a.target_id', q.target as string)
              .orWhereILike('tu.email', like)
              .orWhereILike('tu.name', like)
              .orWhereILike('tp.name', like)
              .orWhereRaw(`a.details->>'domain' ilike ?`, [like]),
          );
        }
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
            actor: person(r.actor_id, r.actor_name, r.actor_email),
            // auth's own start/stop entries name the impersonator as actor already.
            impersonator: r.imp_id === r.actor_id ? null : person(r.imp_id, r.imp_name, r.imp_email),
            action: r.action,
            target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id, label: r.target_label } : null,
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
