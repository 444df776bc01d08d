/**
 * Panel pages declared as data. The panel renders them with generic components, so enabling a
 * plugin adds its pages without rebuilding the panel, and disabling it removes them.
 *
 * **Placeholders.** Routes, links and confirmation texts may name values in braces:
 * `{id}` in a row action or column link is that row's field (dot paths allowed), and in any
 * route of a page with {@link PanelPageDefinition.params} `{zone}` is the page's `?zone=`
 * parameter. Values are URL-encoded into routes and links, so a value can never change which
 * route is called; the API still decides whether the caller may act on it.
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
   * Make the value a link to another panel page, with placeholders from the row, e.g.
   * `/p/dns/zone?zone={id}`. Only panel paths (`/p/…`) are allowed.
   */
  link?: string;
  /**
   * For `money`: the row's field holding its ISO 4217 currency (e.g. `currency`), so minor
   * units show in the row's own currency. Without it, amounts show as USD.
   */
  currencyField?: string;
}

/** Fields of an API answer to show after an action or form succeeded. */
export interface PanelResult {
  /** Heading of the box the fields are shown in. */
  title?: string;
  fields: Array<{ field: string; label: string }>;
  /**
   * The values are shown this once and never again (a generated password): the panel says
   * so and asks the user to copy them now.
   */
  once?: boolean;
}

/** A button on each row of a table, calling a route with the row's values. */
export interface PanelRowAction {
  label: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Route under `/v1` with placeholders from the row, e.g. `/databases/{id}`. */
  route: string;
  /**
   * Ask before calling (with placeholders from the row), e.g. `Delete database {name}? Its
   * data is gone for good.` Works without JavaScript: the panel shows the question as a page.
   */
  confirm?: string;
  /** Shown as a destructive action. */
  danger?: boolean;
  /** What of the answer to show afterwards. */
  result?: PanelResult;
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
  /** Buttons on each row. */
  actions?: PanelRowAction[];
}

/** A form generated from a TypeBox schema, submitted to a route. */
export interface PanelFormSection {
  kind: 'form';
  title?: string;
  schema: TObject;
  submit: { method: 'POST' | 'PUT' | 'PATCH'; route: string; label?: string };
  /** What of the answer to show after a successful submit (e.g. a password shown once). */
  result?: PanelResult;
  /**
   * A field's choices read from an API list, shown as a select: e.g.
   * `{ websiteId: { source: '/websites', value: 'id', label: 'domainDisplay' } }` offers the
   * caller's own websites by name and submits the chosen id.
   */
  choices?: Record<string, PanelChoices>;
}

/** Choices of a form field from a GET route returning `{ items: [...] }` or an array. */
export interface PanelChoices {
  /** Route under `/v1` (placeholders from the page's parameters). */
  source: string;
  /** Field of each item that is submitted. */
  value: string;
  /** Field of each item that is shown. */
  label: string;
}

/** Markdown-free plain text shown as a paragraph. */
export interface PanelTextSection {
  kind: 'text';
  text: string;
}

/**
 * A line chart bound to a GET route returning `{ items: [...] }` or an array: one line per
 * series, x along the rows' order. Rendered on the server as SVG (no JavaScript needed).
 */
export interface PanelChartSection {
  kind: 'chart';
  title?: string;
  /** Route under `/v1`. */
  source: string;
  /** Field of each row labelling the x axis (a date or text). */
  x: string;
  /** Numeric fields drawn as lines (at most 6). */
  series: Array<{ field: string; label: string }>;
  /** How the y axis reads its values. */
  format?: 'number' | 'bytes';
}

/** One part of a page. */
export type PanelSection = PanelTableSection | PanelFormSection | PanelTextSection | PanelChartSection;

/** A page a plugin adds to the panel. */
export interface PanelPageDefinition {
  /** Unique within the plugin; the page lives at `/p/<plugin id>/<id>`. */
  id: string;
  title: string;
  /**
   * Read the page's heading from an API object instead, e.g.
   * `{ source: '/dns/zones/{zone}', field: 'name' }`; `title` is the fallback.
   */
  titleFrom?: { source: string; field: string };
  /**
   * Navigation entry. A page without one is reached through links only: a detail page such
   * as one zone's records, linked from a table column.
   */
  nav?: { label: string; section?: 'main' | 'account' | 'admin'; order?: number };
  /**
   * Query parameters the page needs, e.g. `['zone']` for `/p/dns/zone?zone=<id>`: usable as
   * placeholders in its routes and title. A request without them gets a 404.
   */
  params?: string[];
  /** Roles that see the page. Default: every role. */
  roles?: Role[];
  /** Permission a user needs to see the page. */
  permission?: string;
  sections: PanelSection[];
}
