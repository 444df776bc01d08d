/**
 * `/v1/billing/profile`: your own billing address and tax details; `/v1/billing/profiles/:userId`:
 * those of a user in your tree (a reseller's customers; an administrator's everyone). A user
 * outside the caller's tree reads as unknown (404), like any other foreign id.
 */
import { CommonErrors, errorResponses, Type, type RouteApp, type TenancyService } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { BillingErrors } from '../errors.js';
import type { ProfileInput, Profiles } from '../services/profiles.js';
import { Uuid } from './schemas.js';

const tags = ['billing'];
const Params = Type.Object({ userId: Uuid }, { additionalProperties: false });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ProfileSchema = Type.Object({
  userId: Uuid,
  address: Type.String(),
  country: Nullable(Type.String()),
  region: Nullable(Type.String()),
  vatId: Nullable(Type.String()),
  isBusiness: Type.Boolean(),
  updatedAt: Nullable(Type.String({ format: 'date-time', description: 'null: never saved' })),
});

/** The body of a save; also the panel's form (titles are its labels). */
export const ProfileBody = Type.Object(
  {
    address: Type.Optional(
      Type.String({
        title: 'Address',
        maxLength: 500,
        // Line breaks and tabs are fine in an address; other control characters (NUL …) are not.
        pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$',
        description: 'As printed on your invoices',
      }),
    ),
    country: Type.Optional(
      Type.String({ title: 'Country', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, e.g. DE; picks the tax rate' }),
    ),
    region: Type.Optional(
      Type.String({
        title: 'Region',
        minLength: 1,
        maxLength: 50,
        pattern: '^[^\\u0000-\\u001f\\u007f]+$',
        description: 'State or province where the tax rate depends on it, e.g. CA',
      }),
    ),
    vatId: Type.Optional(
      Type.String({
        title: 'VAT or tax id',
        minLength: 2,
        maxLength: 20,
        pattern: '^[A-Za-z0-9 .-]+$',
        description: 'An EU VAT id must have the format of its country',
      }),
    ),
    isBusiness: Type.Optional(Type.Boolean({ title: 'Buying as a business', default: false })),
  },
  { additionalProperties: false },
);

function actorOf(request: FastifyRequest) {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

const sourceOf = (request: FastifyRequest) => ({ actorId: actorOf(request).userId, ip: request.ip, requestId: request.id });

export function profileRoutes(deps: { profiles: Profiles; tenancy: TenancyService }) {
  const { profiles, tenancy } = deps;
  const reachable = async (request: FastifyRequest, userId: string) => {
    if (!(await tenancy.canAccessUser(actorOf(request), userId))) throw BillingErrors.customerNotFound(userId);
  };
  const errors = errorResponses(400, 401, 403, 404);
  return (app: RouteApp): void => {
    app.get(
      '/profile',
      {
        config: { permission: 'billing.profile.manage' },
        schema: { summary: 'Your billing address and tax details', tags, response: { 200: ProfileSchema, ...errors } },
      },
      async (request) => profiles.get(actorOf(request).userId),
    );
    app.put(
      '/profile',
      {
        config: { permission: 'billing.profile.manage' },
        schema: {
          summary: 'Replace your billing address and tax details (fields left out are cleared); applies to the next invoice',
          tags,
          body: ProfileBody,
          response: { 200: ProfileSchema, ...errors },
        },
      },
      async (request) => profiles.put(actorOf(request).userId, request.body as ProfileInput, sourceOf(request)),
    );
    app.get(
      '/profiles/:userId',
      {
        config: { permission: 'billing.profile.manage' },
        schema: {
          summary: 'The billing details of a user in your tree',
          tags,
          params: Params,
          response: { 200: ProfileSchema, ...errors },
        },
      },
      async (request) => {
        await reachable(request, request.params.userId);
        return profiles.get(request.params.userId);
      },
    );
    app.put(
      '/profiles/:userId',
      {
        config: { permission: 'billing.profile.manage' },
        schema: {
          summary: 'Replace the billing details of a user in your tree; applies to its next invoice',
          tags,
          params: Params,
          body: ProfileBody,
          response: { 200: ProfileSchema, ...errors },
        },
      },
      async (request) => {
        await reachable(request, request.params.userId);
        return profiles.put(request.params.userId, request.body as ProfileInput, sourceOf(request));
      },
    );
  };
}
