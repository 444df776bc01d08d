/**
 * What a plugin page's loader, action and downloads share: finding the page the caller may see,
 * its parameters (query ones and the path one), and reading its sources once each.
 */
import { must, type Api, type ApiResult } from './api.server';
import { valueAt } from './placeholders';
import type { List, PanelPage } from './types';

export async function findPage(api: Api, request: Request, pluginId: string, pageId: string): Promise<PanelPage> {
  const pages = must(request, await api.get<List<PanelPage>>('/panel/pages'));
  const page = pages.items.find((p) => p.pluginId === pluginId && p.id === pageId);
  if (!page) throw new Response('Not found', { status: 404 });
  return page;
}

const notFound = () => new Response('Not found', { status: 404 });

/**
 * The page's parameters: the query parameters it declares and its path parameter (`key`, the
 * segment after the page id). A 404 when one is missing, too long, or not declared. `me` is
 * the signed-in user's id.
 */
export function pageVars(
  page: PanelPage,
  search: URLSearchParams,
  key: string | undefined,
  userId: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of page.params) {
    const value = search.get(name);
    if (!value || value.length > 200) throw notFound();
    out[name] = value;
  }
  if (page.pathParam) {
    if (!key || key.length > 200) throw notFound();
    out[page.pathParam] = key;
  } else if (key !== undefined) {
    throw notFound();
  }
  // Last: the session's user, whatever the address says.
  out.me = userId;
  return out;
}

/** The page's own address with its parameters (where its forms post, what downloads carry). */
export function pageAddress(page: PanelPage, vars: Record<string, string>): { path: string; query: URLSearchParams } {
  const key = page.pathParam ? vars[page.pathParam] : undefined;
  const path = `/p/${page.pluginId}/${page.id}${key !== undefined ? `/${encodeURIComponent(key)}` : ''}`;
  const query = new URLSearchParams();
  for (const name of page.params) query.set(name, vars[name] ?? '');
  return { path, query };
}

/**
 * GET each route once per request: a detail and the tables of its lines, taxes and payments
 * usually read the same resource.
 */
export function onceReader(api: Api): (route: string) => Promise<ApiResult<unknown>> {
  const seen = new Map<string, Promise<ApiResult<unknown>>>();
  return (route) => {
    let pending = seen.get(route);
    if (!pending) {
      pending = api.get<unknown>(route);
      seen.set(route, pending);
    }
    return pending;
  };
}

/** The rows of an answer: `items`, the answer itself when it is an array, or an array `field`. */
export function rowsOf(data: unknown, field?: string): Record<string, unknown>[] {
  const source = field ? valueAt(data, field) : data;
  const rows = Array.isArray(source) ? source : field ? [] : ((source as { items?: unknown[] } | null)?.items ?? []);
  return rows.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object');
}
