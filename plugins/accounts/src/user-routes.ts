/**
 * `/v1/users`: the users of the caller's subtree. Reads go to `hostplane.users` in SQL with the
 * tenancy rule inside the query (a foreign id is simply not found); every change goes through
 * the core users service.
 */
import { Type, type Actor, type RouteApp, type Role } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import {
  actorOf,
  audit,
  DateTime,
  errorResponses,
  IdParams,
  likePattern,
  PageQuery,
  paginate,
  Uuid,
  type AccountsDeps,
} from './common.js';
import { AccountsErrors } from './errors.js';
import { levelOf } from './suspension-levels.js';
import { suspendUser, unsuspendUser } from './user-status.js';

const tags = ['users'];
const RoleSchema = Type.Union([
  Type.Literal('super_admin'),
  Type.Literal('reseller'),
  Type.Literal('customer'),
  Type.Literal('technical_user'),
]);
const StatusSchema = Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('deleted')]);

export const UserSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  parentId: Type.Union([Uuid, Type.Null()]),
  status: StatusSchema,
  emailVerifiedAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const ListQuery = Type.Object(
  {
    ...PageQuery,
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the email or name' })),
    role: Type.Optional(RoleSchema),
    status: Type.Optional(StatusSchema),
    sort: Type.Optional(Type.Union([Type.Literal('created_at'), Type.Literal('email'), Type.Literal('name')])),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  },
  { additionalProperties: false },
);

export const NewUserBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: RoleSchema,
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    parentId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false },
);

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  parent_id: string | null;
  status: 'active' | 'suspended' | 'deleted';
  email_verified_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = ['id', 'email', 'name', 'role', 'parent_id', 'status', 'email_verified_at', 'created_at', 'updated_at'].map(
  (c) => `u.${c}`,
);

function userView(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    parentId: row.parent_id,
    status: row.status,
    emailVerifiedAt: row.email_verified_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Which role each role may create below itself (admins: any). */
const CREATES: Partial<Record<Role, Role>> = { reseller: 'customer', customer: 'technical_user' };

export function userRoutes(deps: AccountsDeps) {
  const { db, tenancy, users } = deps;
  const knex = db.knex;

  function scoped(actor: Actor, trx?: Knex.Transaction): Knex.QueryBuilder {
    return tenancy.scope((trx ?? knex)('hostplane.users as u').select(COLUMNS), actor, 'u.id');
  }

  async function findScoped(actor: Actor, id: string): Promise<UserRow> {
    const row = (await scoped(actor).where('u.id', id).first()) as UserRow | undefined;
    if (!row) throw AccountsErrors.userNotFound(id);
    return row;
  }

  /** A user strictly below the caller (never themselves), or 404 / 409. */
  async function findBelow(actor: Actor, id: string, what: string): Promise<UserRow> {
    const row = await findScoped(actor, id);
    if (row.id === actor.userId) throw AccountsErrors.notYourself(what);
    return row;
  }

  async function reload(id: string) {
    return userView((await knex('hostplane.users as u').select(COLUMNS).where('u.id', id).first()) as UserRow);
  }

  const by = (request: FastifyRequest) => ({
    actorId: request.actor?.userId ?? null,
    ip: request.ip,
    requestId: request.id,
    via: 'api',
    level: levelOf(actorOf(request).role),
  });

  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'accounts.user.read' },
        schema: {
          summary: 'Users of your subtree (deleted ones only when asked for by status)',
          tags,
          querystring: ListQuery,
          response: {
            200: Type.Object({
              items: Type.Array(UserSchema),
              total: Type.Integer(),
              page: Type.Integer(),
              limit: Type.Integer(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const q = request.query;
        // The tenancy rule inside the query (one probe of the users closure table per row).
        const actor = actorOf(request);
        const base = scoped(actor);
        if (q.search) {
          const pattern = likePattern(q.search);
          base.where((w) => w.whereRaw('lower(u.email) like ?', [pattern]).orWhereRaw('lower(u.name) like ?', [pattern]));
        }
        if (q.role) base.where('u.role', q.role);
        if (q.status) base.where('u.status', q.status);
        else base.whereNot('u.status', 'deleted');
        const sort = q.sort ?? 'created_at';
        const order = q.order ?? 'asc';
        const ordered = (b: Knex.QueryBuilder) =>
          b.orderBy([
            { column: sort === 'created_at' ? 'u.created_at' : knex.raw(`lower(u.${sort})`), order },
            { column: 'u.id', order },
          ] as never);
        // Two queries side by side (see paginate), for admins and resellers alike: the tenancy
        // rule is an index probe on the users closure table (core migration 0004_user_tree).
        // With a search, the count reads the matches through the trigram indexes on
        // lower(email) and lower(name) (accounts migration 20261125000000_users_search_indexes);
        // the page either does too or, for a common term, walks (created_at, id) and stops after
        // one page of matches. (One statement with count(*) over () made the planner walk the
        // whole created_at index for a common term: 100 ms on 100,000 users.) bench/users-search.ts
        // prints the plans.
        const { rows, total } = await paginate<UserRow>(base, ordered, q.page, q.limit);
        return { items: rows.map(userView), total, page: q.page, limit: q.limit };
      },
    );

    app.get(
      '/:id',
      {
        config: { permission: 'accounts.user.read' },
        schema: { summary: 'One user of your subtree', tags, params: IdParams, response: { 200: UserSchema, ...errorResponses } },
      },
      async (request) => userView(await findScoped(actorOf(request), request.params.id)),
    );

    app.post(
      '/',
      {
        config: { permission: 'accounts.user.write' },
        schema: {
          summary: 'Create a user: admins any; resellers customers; customers technical users',
          description:
            'With a `password`, the account signs in at once (its creator vouches for the address: it is marked ' +
            'verified). Without one, the auth plugin mails the address a link to choose a password. An admin who ' +
            'leaves out `parentId` puts a customer or reseller under the platform (its first administrator); ' +
            '`parentId: null` makes a reseller stand alone. Resellers and customers always create below themselves.',
          tags,
          body: NewUserBody,
          response: { 201: UserSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
        // Left out by an admin: the core puts a customer or reseller under the platform.
        let parentId = body.parentId;
        if (actor.role !== 'super_admin') {
          if (CREATES[actor.role] !== body.role) throw AccountsErrors.roleNotAllowed(actor.role, body.role);
          if (parentId !== undefined && parentId !== null && parentId !== actor.userId)
            throw AccountsErrors.roleNotAllowed(actor.role, `user under someone else`);
          parentId = actor.userId;
        }
        const created = await users.create({
          email: body.email,
          role: body.role,
          ...(parentId !== undefined ? { parentId } : {}),
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.password !== undefined ? { password: body.password } : {}),
        });
        // The creator, above the account, vouches for the address it typed, so a password it
        // chose signs in at once. Without one, the auth plugin mails a set-password link, and
        // following it proves the address.
        if (body.password !== undefined) await users.markEmailVerified(created.id);
        await audit(deps, request, 'accounts.user.created', { type: 'user', id: created.id }, { role: created.role });
        return reply.code(201).send(await reload(created.id));
      },
    );

    app.patch(
      '/:id',
      {
        config: { permission: 'accounts.user.write' },
        schema: {
          summary: 'Rename a user (status changes go through the actions)',
          tags,
          params: IdParams,
          body: Type.Object({ name: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
          response: { 200: UserSchema, ...errorResponses },
        },
      },
      async (request) => {
        const user = await findScoped(actorOf(request), request.params.id);
        await users.update(user.id, { name: request.body.name });
        await audit(deps, request, 'accounts.user.updated', { type: 'user', id: user.id }, { fields: ['name'] });
        return reload(user.id);
      },
    );

    app.delete(
      '/:id',
      {
        config: { permission: 'accounts.user.write' },
        schema: {
          summary: 'Soft-delete a user: data kept, login impossible, an admin can restore',
          tags,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const user = await findBelow(actorOf(request), request.params.id, 'delete');
        if (user.status === 'deleted') throw AccountsErrors.userStatus(user.status, 'deleted');
        await users.setStatus(user.id, 'deleted');
        await audit(deps, request, 'accounts.user.deleted', { type: 'user', id: user.id });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/restore',
      {
        config: { permission: 'accounts.user.restore' },
        schema: {
          summary: 'Restore a deleted user (admins)',
          tags,
          params: IdParams,
          response: { 200: UserSchema, ...errorResponses },
        },
      },
      async (request) => {
        const user = await findBelow(actorOf(request), request.params.id, 'restore');
        if (user.status !== 'deleted') throw AccountsErrors.userStatus(user.status, 'restored');
        try {
          await users.setStatus(user.id, 'active');
        } catch (err) {
          // A live account took the address meanwhile (the unique index covers live users only).
          if ((err as { code?: unknown }).code === '23505')
            throw AccountsErrors.userStatus('deleted', 'restored: its email is in use');
          throw err;
        }
        await audit(deps, request, 'accounts.user.restored', { type: 'user', id: user.id });
        return reload(user.id);
      },
    );

    app.post(
      '/:id/suspend',
      {
        config: { permission: 'accounts.user.write' },
        schema: {
          summary: 'Suspend a user and their active subscriptions',
          description:
            'Records the level of whoever suspended (platform: an administrator or the CLI; reseller; customer, for ' +
            'its technical users); the subscriptions suspended along keep that level. Only that level or above may ' +
            'lift the suspension, of the user or of those subscriptions.',
          tags,
          params: IdParams,
          body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
          response: { 200: UserSchema, ...errorResponses },
        },
      },
      async (request) => {
        const user = await findBelow(actorOf(request), request.params.id, 'suspend');
        await suspendUser(deps, user.id, request.body.reason, by(request));
        return reload(user.id);
      },
    );

    app.post(
      '/:id/unsuspend',
      {
        config: { permission: 'accounts.user.write' },
        schema: {
          summary: 'Reactivate a suspended user and the subscriptions suspended with them',
          description:
            'Only at the level of whoever suspended the user or above: a reseller cannot lift an administrator’s ' +
            'suspension, a customer not its reseller’s (403 `ACCOUNTS_ERR_SUSPENDED_ABOVE`, `details.suspendedBy`).',
          tags,
          params: IdParams,
          response: { 200: UserSchema, ...errorResponses },
        },
      },
      async (request) => {
        const user = await findBelow(actorOf(request), request.params.id, 'unsuspend');
        await unsuspendUser(deps, user.id, by(request));
        return reload(user.id);
      },
    );
  };
}
