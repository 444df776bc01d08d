/**
 * `{name}` placeholders of plugin-declared pages (sdk/src/panel.ts): filled from a table row or
 * the page's query parameters. Into routes and links each value goes URL-encoded, so a value
 * (typed by anyone: a row's name, a hidden field) can only ever be one path segment or query
 * value, never a different route.
 */

const PLACEHOLDER = /\{([A-Za-z0-9_.]+)\}/g;

/** The value at a dot path of `source`. */
export function valueAt(source: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), source);
}

/** The placeholder names `template` uses. */
export function placeholdersOf(template: string | undefined): string[] {
  return template ? [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!) : [];
}

function scalar(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

/** `template` with each placeholder URL-encoded, or null when one has no plain value. */
export function fillPath(template: string, lookup: (name: string) => unknown): string | null {
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = scalar(lookup(name));
    if (value === null || value === '') missing = true;
    return encodeURIComponent(value ?? '');
  });
  return missing ? null : out;
}

/** `template` with each placeholder as text (for headings and questions). */
export function fillText(template: string, lookup: (name: string) => unknown): string {
  return template.replace(PLACEHOLDER, (_, name: string) => scalar(lookup(name)) ?? '');
}

/** Only the plugin's own API, relative to /v1: never another origin or a path escape. */
export function safeRoute(route: string | null): string | null {
  return route !== null &&
    /^\/[A-Za-z0-9/_\-.~%?=&!'()*]*$/.test(route) &&
    !route.includes('//') &&
    !/(^|\/)\.\.?(\/|$|\?)/.test(route)
    ? route
    : null;
}

/** Only a page of the panel's plugin pages, with at most one path parameter (never `.` or `..`). */
export function safePanelLink(link: string | null): string | null {
  return link !== null &&
    /^\/p\/[a-z0-9-]+\/[a-z0-9-]+(\/[A-Za-z0-9_\-.~%]+)?(\?[A-Za-z0-9_\-.~%=&]*)?$/.test(link) &&
    !/^\/p\/[^/]+\/[^/?]+\/\.\.?(\?|$)/.test(link)
    ? link
    : null;
}
