/** Toasts that survive a redirect: a short-lived cookie read (and cleared) by the app layout. */
import { clearCookie, cookiesOf, FLASH_COOKIE, setCookie } from './cookies';

export interface Flash {
  kind: 'success' | 'error';
  message: string;
}

export function flashCookie(request: Request, flash: Flash): string {
  return setCookie(request, FLASH_COOKIE, JSON.stringify(flash), { maxAge: 60 });
}

/** The pending flash of this request and the header that clears it, if any. */
export function takeFlash(request: Request): { flash: Flash | null; clear: string | null } {
  const raw = cookiesOf(request)[FLASH_COOKIE];
  if (!raw) return { flash: null, clear: null };
  try {
    const parsed = JSON.parse(raw) as Partial<Flash>;
    if ((parsed.kind === 'success' || parsed.kind === 'error') && typeof parsed.message === 'string') {
      return { flash: { kind: parsed.kind, message: parsed.message.slice(0, 300) }, clear: clearCookie(request, FLASH_COOKIE) };
    }
  } catch {
    // a mangled cookie is simply dropped
  }
  return { flash: null, clear: clearCookie(request, FLASH_COOKIE) };
}
