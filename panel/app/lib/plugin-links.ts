/**
 * Links plugins put on the rows of core lists (`linkFrom` of a plugin page, sdk/src/panel.ts):
 * billing's "Next invoice" on each subscription. The core page lists whatever the enabled
 * plugins declare; it knows none of them.
 */
import type { PanelPage } from './types';

export interface RowLink {
  label: string;
  href: string;
}

/** The links of `list`'s row `id`, from the pages the user may see (the layout's `pages`). */
export function rowLinks(pages: readonly PanelPage[], list: string, id: string): RowLink[] {
  return pages
    .filter((p) => p.linkFrom?.list === list && p.pathParam)
    .map((p) => ({ label: p.linkFrom!.label, href: `${p.path}/${encodeURIComponent(id)}` }));
}
