/** What the route files share: schemas of common shapes, request info, the session cookie. */
import { CommonErrors, ErrorResponseSchema, Type, type Actor, type Static } from '@hostplane/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieIsSecure, type AuthConfigValues } from '../config.js';
import { SessionRequired } from '../errors.js';
import { IMPERSONATION_COOKIE, SESSION_COOKIE } from '../services/authenticator.js';
import type { RequestInfo } from '../services/context.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS } from '../services/device-cookies.js';
import type { TokenSet, UserLike } from '../services/login.js';

export const ErrorSchema = ErrorResponseSchema;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });
export const NullableDateTime = Nullable(DateTime);

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: Type.Union([
    Type.Literal('super_admin'),
    Type.Literal('reseller'),
    Type.Literal('customer'),
    Type.Literal('technical_user'),
  ]),
  parentId: Nullable(Type.String({ format: 'uuid' })),
  status: Type.String(),
  emailVerifiedAt: NullableDateTime,
  createdAt: DateTime,
});

/** Email as typed by a person; the users service normalises and validates it. */
export const EmailField = Type.String({ minLength: 3, maxLength: 320 });
/** A password as sent; the policy (length, common list …) is checked by the service. */
export const PasswordField = Type.String({ minLength: 1, maxLength: 1024 });
/** Opaque tokens we issued (base32 / `hp_`); anything longer is not ours. */
export const TokenField = Type.String({ minLength: 1, maxLength: 200 });

export const TokenSetSchema = Type.Object({
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String(),
  refreshToken: Type.String(),
  csrfToken: Type.String(),
  expiresIn: Type.Integer({ description: 'Seconds the access token lives' }),
  sessionId: Type.String(),
  user: UserSchema,
});

/** A message-only answer (202s of the mail endpoints and such). */
export const MessageSchema = Type.Object({ message: Type.String() });

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? new Date(value).toISOString() : value.toISOString();
}

export function userView(user: UserLike): Static<typeof UserSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    parentId: user.parentId,
    status: user.status,
    emailVerifiedAt: iso(user.emailVerifiedAt),
    createdAt: iso(user.createdAt)!,
  };
}

export function tokenSetView(tokens: TokenSet): Static<typeof TokenSetSchema> {
  return {
    tokenType: 'Bearer',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    csrfToken: tokens.csrfToken,
    expiresIn: tokens.expiresIn,
    sessionId: tokens.sessionId,
    user: userView(tokens.user),
  };
}

export function requestInfo(request: FastifyRequest): RequestInfo {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null,
    requestId: request.id,
    deviceToken: cookieOf(request, DEVICE_COOKIE.secure) ?? cookieOf(request, DEVICE_COOKIE.plain) ?? null,
  };
}

/** One cookie of the request (the host parses them for authenticators only). */
function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The caller (the route guard has made sure there is one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

/** The caller, who must hold a session (not an API token). */
export function sessionActorOf(request: FastifyRequest): Actor & { sessionId: string } {
  const actor = actorOf(request);
  if (!actor.sessionId) throw SessionRequired();
  return actor as Actor & { sessionId: string };
}

type CookieNames = { secure: string; plain: string };

function cookieName(config: AuthConfigValues, names: CookieNames = SESSION_COOKIE): { name: string; secure: boolean } {
  const secure = cookieIsSecure(config.cookieSecure);
  return { name: secure ? names.secure : names.plain, secure };
}

/** Set-Cookie for the panel: httpOnly, SameSite=Lax, Path=/, Secure per config. */
export function setSessionCookie(
  reply: FastifyReply,
  config: AuthConfigValues,
  token: string,
  expiresAt: Date,
  names: CookieNames = SESSION_COOKIE,
): void {
  const { name, secure } = cookieName(config, names);
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  const parts = [
    `${name}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAge}`,
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}

/** Expire the session cookie (both names, whichever the browser holds) and any impersonation. */
export function clearSessionCookie(
  reply: FastifyReply,
  config: AuthConfigValues,
  names: CookieNames[] = [SESSION_COOKIE, IMPERSONATION_COOKIE],
): void {
  const { secure } = cookieName(config);
  const expired = 'Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT';
  const cookies: string[] = [];
  for (const pair of names) {
    cookies.push(`${pair.plain}=; ${expired}`);
    // A __Host- cookie can only be set (and so only cleared) with Secure.
    if (secure) cookies.push(`${pair.secure}=; ${expired}; Secure`);
  }
  reply.header('set-cookie', cookies);
}

/**
 * The device cookie of a client that signed in (see services/device-cookies.ts). Strict: it is
 * only ever needed on the sign-in pages of this site.
 */
export function setDeviceCookie(reply: FastifyReply, config: AuthConfigValues, token: string): void {
  const { name, secure } = cookieName(config, DEVICE_COOKIE);
  const maxAge = DEVICE_COOKIE_DAYS * 86_400;
  const parts = [`${name}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
  if (secure) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}

/** Set the impersonation cookie beside the caller's session cookie (panel impersonation). */
export function setImpersonationCookie(reply: FastifyReply, config: AuthConfigValues, token: string, expiresAt: Date): void {
  setSessionCookie(reply, config, token, expiresAt, IMPERSONATION_COOKIE);
}

/** Drop only the impersonation cookie: the browser is back on its own session. */
export function clearImpersonationCookie(reply: FastifyReply, config: AuthConfigValues): void {
  clearSessionCookie(reply, config, [IMPERSONATION_COOKIE]);
}

/** Route rate limit of the public sign-in routes, per IP (on top of the database throttles). */
export function publicRateLimit(config: AuthConfigValues) {
  return { max: config.routeRateLimitPerMinute, timeWindow: '1 minute' };
}
