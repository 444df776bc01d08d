/**
 * `GET /v1/panel/pages`: the panel pages of the started plugins that the caller may see. The
 * panel builds its navigation from this on every request, so enabling or disabling a plugin
 * changes the navigation with no rebuild (a new generation serves the new list).
 */
import { Type } from '@sinclair/typebox';
import type { KernelApi, PluginPanelPage } from '@hostplane/core';
import type { Actor } from '@hostplane/sdk';
import { errorResponses } from './admin/schemas.js';
import type { HostApp } from './types.js';

const PageSchema = Type.Object({
  pluginId: Type.String(),
  id: Type.String(),
  title: Type.String(),
  path: Type.String({ description: 'Where the panel shows it: /p/<plugin id>/<page id>' }),
  nav: Type.Union(
    [
      Type.Object({
        label: Type.String(),
        section: Type.String(),
        order: Type.Integer(),
      }),
      Type.Null(),
    ],
    { description: 'null: a page reached through links only' },
  ),
  params: Type.Array(Type.String(), { description: 'Query parameters the page needs' }),
  pathParam: Type.Union([Type.String(), Type.Null()], {
    description: 'Name of the path parameter: the page lives at /p/<plugin id>/<page id>/<value>',
  }),
  titleFrom: Type.Union([Type.Object({ source: Type.String(), field: Type.String() }), Type.Null()]),
  linkFrom: Type.Union([Type.Object({ list: Type.String(), label: Type.String() }), Type.Null()], {
    description: 'A core list (subscriptions) whose rows link to this page, with the row id as its path parameter',
  }),
  sections: Type.Array(Type.Unknown(), {
    description: 'Table, form (TypeBox schema), text, chart and detail sections, as declared',
  }),
});

/** Whether `actor` may see `page`: its roles and its permission, when the page names them. */
export function pageVisibleTo(page: PluginPanelPage, actor: Actor): boolean {
  if (page.roles && page.roles.length > 0 && !page.roles.includes(actor.role)) return false;
  if (page.permission && !actor.permissions.has(page.permission)) return false;
  return true;
}

/** Register the route on a scope prefixed `/v1`. */
export async function panelPagesRoutes(app: HostApp, { kernel }: { kernel: KernelApi }): Promise<void> {
  app.get(
    '/panel/pages',
    {
      config: { authenticated: true },
      schema: {
        tags: ['panel'],
        summary: 'Panel pages of the enabled plugins that I may see',
        response: { 200: Type.Object({ items: Type.Array(PageSchema) }), ...errorResponses() },
      },
    },
    async (request) => {
      const actor = request.actor as Actor;
      const items = kernel
        .panelPages()
        .filter((page) => pageVisibleTo(page, actor))
        .map((page) => ({
          pluginId: page.pluginId,
          id: page.id,
          title: page.title,
          path: `/p/${page.pluginId}/${page.id}`,
          nav: page.nav ? { label: page.nav.label, section: page.nav.section ?? 'main', order: page.nav.order ?? 100 } : null,
          params: page.params ?? [],
          pathParam: page.pathParam ?? null,
          titleFrom: page.titleFrom ?? null,
          linkFrom: page.linkFrom ?? null,
          // TypeBox schemas are JSON Schema; stringify drops TypeBox's symbol keys.
          sections: JSON.parse(JSON.stringify(page.sections)) as unknown[],
        }))
        .sort(
          (a, b) =>
            (a.nav?.order ?? 1000) - (b.nav?.order ?? 1000) || (a.nav?.label ?? a.title).localeCompare(b.nav?.label ?? b.title),
        );
      return { items };
    },
  );
}
