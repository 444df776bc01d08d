/**
 * Panel pages declared as data. The panel renders them with generic components, so enabling a
 * plugin adds its pages without rebuilding the panel, and disabling it removes them.
 */
import type { TObject } from '@sinclair/typebox';
import type { Role } from './http.js';

/** A column of a table section. */
export interface PanelColumn {
  /** Field of each row (dot path allowed). */
  field: string;
  label: string;
  /** How to show the value. */
  format?: 'text' | 'date' | 'status' | 'money' | 'bytes' | 'link';
  /**
   * For `money`: the row's field holding its ISO 4217 currency (e.g. `currency`), so minor
   * units show in the row's own currency. Without it, amounts show as USD.
   */
  currencyField?: string;
}

/** A table bound to a GET route returning `{ items: [...] }` or an array. */
export interface PanelTableSection {
  kind: 'table';
  title?: string;
  /** Route under `/v1`, e.g. `/hello/greetings`. */
  source: string;
  columns: PanelColumn[];
  /** What to say when there are no rows, and what to do next. */
  empty?: string;
}

/** A form generated from a TypeBox schema, submitted to a route. */
export interface PanelFormSection {
  kind: 'form';
  title?: string;
  schema: TObject;
  submit: { method: 'POST' | 'PUT' | 'PATCH'; route: string; label?: string };
}

/** Markdown-free plain text shown as a paragraph. */
export interface PanelTextSection {
  kind: 'text';
  text: string;
}

/** One part of a page. */
export type PanelSection = PanelTableSection | PanelFormSection | PanelTextSection;

/** A page a plugin adds to the panel. */
export interface PanelPageDefinition {
  /** Unique within the plugin; the page lives at `/p/<plugin id>/<id>`. */
  id: string;
  title: string;
  /** Navigation entry. */
  nav: { label: string; section?: 'main' | 'account' | 'admin'; order?: number };
  /** Roles that see the page. Default: every role. */
  roles?: Role[];
  /** Permission a user needs to see the page. */
  permission?: string;
  sections: PanelSection[];
}
