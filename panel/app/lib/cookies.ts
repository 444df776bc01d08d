/** Cookie parsing and the panel's own cookies (impersonation, flash, theme, form token). */

export function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

export function cookiesOf(request: Request): Record<string, string> {
  return parseCookies(request.headers.get('cookie'));
}

/**
 * Secure when the page came over https, or when the browser holds the auth plugin's Secure
 * session cookie (`__Host-…`): behind a TLS proxy the host may see plain http (without
 * `trustProxy`), but the auth plugin's choice tells us the browser is on a secure origin.
 */
function secureFor(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || (request.headers.get('cookie') ?? '').includes('__Host-hp_session=');
}

export interface CookieOptions {
  maxAge?: number;
  sameSite?: 'Strict' | 'Lax';
  httpOnly?: boolean;
}

export function setCookie(request: Request, name: string, value: string, options: CookieOptions = {}): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', `SameSite=${options.sameSite ?? 'Lax'}`];
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (secureFor(request)) parts.push('Secure');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  return parts.join('; ');
}

export function clearCookie(request: Request, name: string): string {
  return setCookie(request, name, '', { maxAge: 0 });
}

/** The session cookies the auth plugin sets (see plugins/auth/README.md). */
export const SESSION_COOKIES = ['__Host-hp_session', 'hp_session'];
/**
 * The auth plugin's device cookies: proof of an earlier sign-in to an account, so a stranger's
 * failed guesses cannot lock this browser out (plugins/auth/README.md, "Throttling").
 */
export const DEVICE_COOKIES = ['__Host-hp_device', 'hp_device'];
/** Tokens of an impersonation session (httpOnly, SameSite=Strict; see docs/decisions/0008). */
export const IMPERSONATION_COOKIE = 'hp_panel_as';
/** One message for the next page, set with a redirect (Post/Redirect/Get). */
export const FLASH_COOKIE = 'hp_panel_flash';
/** The form token of this browser (see form-token.server.ts). */
export const FORM_TOKEN_COOKIE = 'hp_panel_form';
/** `light`, `dark` or absent (follow the system). Not secret: readable by the page. */
export const THEME_COOKIE = 'hp_panel_theme';
