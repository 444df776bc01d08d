/**
 * The panel's only way to the platform: the public `/v1` API, called in-process with the
 * browser's own credentials (the auth plugin's session cookie, or the tokens of an impersonation
 * session kept in the panel's cookie). See docs/decisions/0008-panel-sessions.md.
 */
import { redirect, type AppLoadContext } from 'react-router';
import { clearCookie, cookiesOf, DEVICE_COOKIES, IMPERSONATION_COOKIE, SESSION_COOKIES, setCookie } from './cookies';
import type { ApiError } from './errors';
import { flashCookie } from './flash';
import { formTokenMatches } from './form-token.server';
import type { Me } from './types';

export type ApiResult<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  | { ok: false; status: number; error: ApiError; headers: Headers; sent?: unknown };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Tokens of an impersonation session. */
export interface ImpersonationTokens {
  accessToken: string;
  refreshToken: string;
}

export function impersonationOf(request: Request): ImpersonationTokens | null {
  const raw = cookiesOf(request)[IMPERSONATION_COOKIE];
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<ImpersonationTokens>;
    if (typeof parsed.accessToken === 'string' && typeof parsed.refreshToken === 'string') {
      return { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken };
    }
  } catch {
    // ignored: treated as absent
  }
  return null;
}

export function impersonationCookie(request: Request, tokens: ImpersonationTokens): string {
  // Strict: the panel turns this cookie into a Bearer token, which the API does not CSRF-check.
  return setCookie(request, IMPERSONATION_COOKIE, JSON.stringify(tokens), { sameSite: 'Strict', maxAge: 60 * 60 * 8 });
}

function headersOf(raw: Record<string, string | string[] | number | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v));
  }
  return headers;
}

/**
 * Credentials of a call: the impersonation token if any, else the browser's session cookie;
 * and its device cookie, which sign-ins are throttled by.
 */
function credentials(request: Request, asUser: boolean): Record<string, string> {
  const tokens = asUser ? impersonationOf(request) : null;
  if (tokens) return { authorization: `Bearer ${tokens.accessToken}` };
  const cookies = cookiesOf(request);
  const passed = [...SESSION_COOKIES, ...DEVICE_COOKIES]
    .filter((name) => cookies[name])
    .map((name) => `${name}=${cookies[name]}`);
  return passed.length > 0 ? { cookie: passed.join('; ') } : {};
}

export interface ApiOptions {
  /** The CSRF token the form echoed (`_csrf`); sent as `x-csrf-token` on unsafe calls. */
  csrf?: string | null;
  /** Call as the real user even while impersonating (e.g. to end the impersonation). */
  asRealUser?: boolean;
  /** A 401 means the session ended: send the person to sign in (and back) instead of answering. */
  signInOn401?: boolean;
}

/** An API client for one panel request. */
export class Api {
  constructor(
    private readonly request: Request,
    private readonly context: AppLoadContext,
    private readonly options: ApiOptions = {},
  ) {}

  async call<T>(method: Method, url: string, payload?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...credentials(this.request, !this.options.asRealUser),
    };
    if (method !== 'GET' && this.options.csrf) headers['x-csrf-token'] = this.options.csrf;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await this.context.api({ method, url: `/v1${url}`, headers, payload });
    const responseHeaders = headersOf(res.headers);
    let body: unknown = null;
    if (res.body !== '') {
      try {
        body = JSON.parse(res.body);
      } catch {
        body = null;
      }
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, data: body as T, headers: responseHeaders };
    if (res.status === 401 && this.options.signInOn401) throw redirect(loginUrl(this.request, true));
    const error = (body as { error?: ApiError } | null)?.error ?? { code: `HTTP_${res.status}`, message: `HTTP ${res.status}` };
    return { ok: false, status: res.status, error, headers: responseHeaders, sent: payload };
  }

  /**
   * A GET whose answer is a file (an invoice's PDF): its bytes and headers, to pass on to the
   * browser as they are. Errors come as the usual JSON error.
   */
  async file(url: string): Promise<ApiResult<Uint8Array>> {
    const headers = { accept: '*/*', ...credentials(this.request, !this.options.asRealUser) };
    const res = await this.context.api({ method: 'GET', url: `/v1${url}`, headers });
    const responseHeaders = headersOf(res.headers);
    if (res.status >= 200 && res.status < 300) {
      return { ok: true, status: res.status, data: res.bytes ?? new TextEncoder().encode(res.body), headers: responseHeaders };
    }
    if (res.status === 401 && this.options.signInOn401) throw redirect(loginUrl(this.request, true));
    let error: ApiError = { code: `HTTP_${res.status}`, message: `HTTP ${res.status}` };
    try {
      error = (JSON.parse(res.body) as { error?: ApiError }).error ?? error;
    } catch {
      // not JSON: the status says enough
    }
    return { ok: false, status: res.status, error, headers: responseHeaders };
  }

  get<T>(url: string): Promise<ApiResult<T>> {
    return this.call<T>('GET', url);
  }
  post<T>(url: string, payload: unknown = {}): Promise<ApiResult<T>> {
    return this.call<T>('POST', url, payload);
  }
  patch<T>(url: string, payload: unknown): Promise<ApiResult<T>> {
    return this.call<T>('PATCH', url, payload);
  }
  put<T>(url: string, payload: unknown): Promise<ApiResult<T>> {
    return this.call<T>('PUT', url, payload);
  }
  delete<T>(url: string): Promise<ApiResult<T>> {
    return this.call<T>('DELETE', url);
  }
}

/** Where a signed-out visitor goes: the login page, then back here. */
export function loginUrl(request: Request, expired: boolean): string {
  const url = new URL(request.url);
  const next = url.pathname + url.search;
  const params = new URLSearchParams();
  if (next !== '/' && next.startsWith('/')) params.set('next', next);
  if (expired) params.set('expired', '1');
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}

function hadCredentials(request: Request): boolean {
  const cookies = cookiesOf(request);
  return SESSION_COOKIES.some((name) => cookies[name]) || Boolean(cookies[IMPERSONATION_COOKIE]);
}

/**
 * Trade an expired impersonation access token for a new one (refresh tokens rotate), then load
 * the page again with the new cookie. When that fails the impersonation is over: back to the
 * real session.
 */
async function renewImpersonation(request: Request, context: AppLoadContext, tokens: ImpersonationTokens): Promise<never> {
  const api = new Api(request, context, { asRealUser: true });
  const res = await api.post<ImpersonationTokens>('/auth/refresh', { refreshToken: tokens.refreshToken });
  const target = request.method === 'GET' ? new URL(request.url).pathname + new URL(request.url).search : '/';
  const headers = new Headers();
  if (res.ok) {
    headers.append('set-cookie', impersonationCookie(request, res.data));
  } else {
    headers.append('set-cookie', clearCookie(request, IMPERSONATION_COOKIE));
    headers.append('set-cookie', flashCookie(request, { kind: 'error', message: 'The impersonation session ended.' }));
  }
  throw redirect(target, { headers });
}

// One `GET /auth/me` per page request: the layout's and the page's loaders run side by side and
// both need the user. The load context is made anew for each request (host/src/server/panel.ts).
const meOfRequest = new WeakMap<AppLoadContext, Promise<ApiResult<Me>>>();

function fetchMe(request: Request, context: AppLoadContext): Promise<ApiResult<Me>> {
  let pending = meOfRequest.get(context);
  if (!pending) {
    pending = new Api(request, context).get<Me>('/auth/me');
    meOfRequest.set(context, pending);
  }
  return pending;
}

/**
 * The signed-in user, or a redirect to the login page (marked `expired` when the browser still
 * held a session the API no longer accepts).
 */
export async function requireUser(request: Request, context: AppLoadContext): Promise<Me> {
  // Actions change things (a name, a password): read the user afresh for them.
  const res =
    request.method === 'GET' || request.method === 'HEAD'
      ? await fetchMe(request, context)
      : await new Api(request, context).get<Me>('/auth/me');
  if (res.ok) return res.data;
  const tokens = impersonationOf(request);
  if (res.status === 401 && tokens) await renewImpersonation(request, context, tokens);
  if (res.status === 401) {
    const headers = new Headers();
    if (tokens) headers.append('set-cookie', clearCookie(request, IMPERSONATION_COOKIE));
    throw redirect(loginUrl(request, hadCredentials(request)), { headers });
  }
  throw new Response(res.error.message, { status: res.status });
}

/** The signed-in user or null (pages that also serve visitors). */
export async function currentUser(request: Request, context: AppLoadContext): Promise<Me | null> {
  if (!hadCredentials(request)) return null;
  const res = await new Api(request, context).get<Me>('/auth/me');
  return res.ok ? res.data : null;
}

/** Data of a successful call, or the error page (401 → login). For loaders. */
export function must<T>(request: Request, res: ApiResult<T>): T {
  if (res.ok) return res.data;
  if (res.status === 401) throw redirect(loginUrl(request, true));
  throw new Response(JSON.stringify(res.error), { status: res.status, headers: { 'content-type': 'application/json' } });
}

function isForeign(origin: string, own: string): boolean {
  try {
    return new URL(origin).origin !== own;
  } catch {
    return true;
  }
}

/**
 * A form post, after checking it came from our own pages. The API checks the CSRF token of
 * cookie sessions itself; impersonation calls and the signed-out forms (sign-in, registration …)
 * have no such token, so the panel refuses cross-origin posts here. A post whose origin is
 * hidden (`Origin: null`: Chromium's plain form posts under `no-referrer`, or a forged post from
 * a page that hides where it is) must echo the form token (form-token.server.ts); so must an
 * impersonation post without any origin.
 */
export async function readForm(request: Request): Promise<FormData> {
  const origin = request.headers.get('origin') ?? request.headers.get('referer');
  if (origin && origin !== 'null' && isForeign(origin, new URL(request.url).origin)) {
    throw new Response('Cross-origin form post refused', { status: 403 });
  }
  const form = await request.formData();
  if ((origin === 'null' || (!origin && impersonationOf(request))) && !formTokenMatches(request, form)) {
    throw new Response('This form is out of date: reload the page and send it again.', { status: 403 });
  }
  return form;
}

/** An API client for an action: echoes the form's CSRF token. */
export function apiForForm(request: Request, context: AppLoadContext, form: FormData): Api {
  const csrf = form.get('_csrf');
  return new Api(request, context, { csrf: typeof csrf === 'string' ? csrf : null, signInOn401: true });
}

/** Set-Cookie headers of an API answer (login, logout), to pass on to the browser. */
export function passCookies(res: ApiResult<unknown>, headers = new Headers()): Headers {
  for (const cookie of res.headers.getSetCookie()) headers.append('set-cookie', cookie);
  return headers;
}
