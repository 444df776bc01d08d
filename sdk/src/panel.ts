/**
 * Panel pages declared as data. The panel renders them with generic components, so enabling a
 * plugin adds its pages without rebuilding the panel, and disabling it removes them.
 *
 * **Placeholders.** Routes, links and confirmation texts may name values in braces:
 * `{id}` in a row action or column link is that row's field (dot paths allowed), and in any
 * route of a page with {@link PanelPageDefinition.params} `{zone}` is the page's `?zone=`
 * parameter. `{me}`, in any route of any page, is the signed-in user's id (a reseller's own
 * settings: `/backups/reseller-targets/{me}`); it always comes from the session, never from
 * the page's address or a row, and `me` is not a name for a page parameter. Values are URL-encoded into routes and links, so a value can never change which
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
   * units show in the row's own currency. Without it, amounts show as USD. In a table of an
   * array `field`, a row without it takes the resource's (an invoice line, its invoice's).
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

/**
 * A test on the row or resource an action belongs to: the field's value (dot path) is one of
 * `in`; for an array field, one of its items is. E.g. `{ field: 'status', in: ['unpaid',
 * 'overdue'] }` offers Pay only on invoices the API would take a payment for. In a table of an
 * array `field` (an invoice's lines), a field the row lacks is read from the resource the array
 * belongs to, as are the row actions' placeholders: `allowed.edit` of the invoice, on its lines.
 */
export interface PanelCondition {
  field: string;
  in: Array<string | number | boolean | null>;
}

/**
 * A button calling a route with a row's (or a detail's) values: a plain form post carrying
 * the panel's CSRF token, so it works without JavaScript.
 *
 * It is shown only when the caller holds `permission` and every `when` holds: declare what your
 * route would refuse, so that the panel offers nothing the API turns down. (The route still
 * decides: a forged post is refused there.)
 */
export interface PanelRowAction {
  label: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Route under `/v1` with placeholders from the row, e.g. `/databases/{id}`. */
  route: string;
  /** Fixed JSON body sent with the call (not shown, not editable), e.g. `{ gateway: 'stripe' }`. */
  body?: Record<string, string | number | boolean>;
  /** Permission the caller needs for the button to show. */
  permission?: string;
  /** Conditions on the row or resource, all of which must hold for the button to show. */
  when?: PanelCondition[];
  /**
   * Field of the answer (dot path) holding an `https:` or `http:` URL to send the browser to
   * when present, e.g. `payment.actionUrl` for a payment provider's hosted checkout page.
   */
  redirect?: string;
  /**
   * Ask before calling (with placeholders from the row), e.g. `Delete database {name}? Its
   * data is gone for good.` Works without JavaScript: the panel shows the question as a page.
   */
  confirm?: string;
  /** Shown as a destructive action. */
  danger?: boolean;
  /** What of the answer to show afterwards. */
  result?: PanelResult;
  /**
   * A panel page (`/p/…`, placeholders from the row or resource) to go to once the call
   * succeeded, e.g. `/p/deployments/site?website={websiteId}` after a Disconnect that leaves
   * nothing for the current page to show.
   */
  next?: string;
}

/**
 * A link that downloads what a GET route answers (a PDF …) through the panel, with the
 * caller's session: the panel streams the route's bytes, type and file name. Shown under the
 * same rules as an action.
 */
export interface PanelDownload {
  label: string;
  /** GET route under `/v1` with placeholders from the resource, e.g. `/invoices/{id}/download`. */
  route: string;
  permission?: string;
  when?: PanelCondition[];
}

/**
 * A table bound to a GET route returning `{ items: [...] }` or an array, or (with `field`) to
 * an array field of one resource: an invoice's lines.
 */
export interface PanelTableSection {
  kind: 'table';
  title?: string;
  /** Route under `/v1`, e.g. `/hello/greetings`. */
  source: string;
  /**
   * Rows are this array field (dot path) of the source's answer, e.g. `lines` of
   * `/invoices/{id}`. Sections of a page reading the same source share one call.
   */
  field?: string;
  columns: PanelColumn[];
  /** What to say when there are no rows, and what to do next. */
  empty?: string;
  /** Buttons on each row. */
  actions?: PanelRowAction[];
  /**
   * While some row meets all these (e.g. `{ field: 'status', in: ['queued', 'running'] }`), the
   * page reloads its data every few seconds with JavaScript, and shows a Refresh link for
   * browsers without it. Nothing is polled once no row meets them.
   */
  live?: PanelCondition[];
}

/**
 * A form generated from a TypeBox schema, submitted to a route. A property with a single
 * allowed value (`Type.Literal('s3')`) is sent as that value with no input: one form per
 * member of a union body (`kind: 's3'` with its `s3` fields, `kind: 'sftp'` with its own). A string property with
 * `contentEncoding: 'base64'` is a file input: the panel posts the form multipart and sends the
 * route the file's bytes as base64 in that property (works without JavaScript).
 */
export interface PanelFormSection {
  kind: 'form';
  title?: string;
  schema: TObject;
  submit: { method: 'POST' | 'PUT' | 'PATCH'; route: string; label?: string };
  /**
   * GET route under `/v1` whose answer fills the inputs (an edit form): e.g. `/billing/profile`
   * for a `PUT /billing/profile` form. Without it the inputs start at the schema's defaults.
   */
  values?: string;
  /** What of the answer to show after a successful submit (e.g. a password shown once). */
  result?: PanelResult;
  /**
   * A field's choices read from an API list, shown as a select: e.g.
   * `{ websiteId: { source: '/websites', value: 'id', label: 'domainDisplay' } }` offers the
   * caller's own websites by name and submits the chosen id.
   */
  choices?: Record<string, PanelChoices>;
  /** Permission the caller needs for the form to show. */
  permission?: string;
  /**
   * Show the form only when these hold on the answer of `about` (the resource it acts on), e.g.
   * a "Record a bank transfer" form only on invoices with a balance.
   */
  when?: PanelCondition[];
  /** GET route under `/v1` of the resource `when` tests (placeholders from the page's parameters). */
  about?: string;
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

/**
 * Fields of one resource read from a GET route, shown as a list of labels and values with the
 * same formats as table columns (money, date, status …), with buttons and downloads for it. A
 * 404 from the route makes the page a 404: another tenant's id shows nothing.
 */
export interface PanelDetailSection {
  kind: 'detail';
  title?: string;
  /** Route under `/v1` answering one object, e.g. `/invoices/{id}`. */
  source: string;
  fields: PanelColumn[];
  /**
   * A resource that may not exist yet (a reseller's own storage before it sets one): when the
   * source answers 404, this text is shown instead of the page becoming a 404, and the page's
   * forms still show (one of them creates it).
   */
  empty?: string;
  /** Buttons acting on the resource; placeholders come from its fields. */
  actions?: PanelRowAction[];
  downloads?: PanelDownload[];
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

/**
 * A text that grows while something runs (a build log), read from one resource's field and
 * followed live. While `while` holds on the resource, the page opens `stream` (with the
 * caller's session) and appends what arrives; without JavaScript it shows the text so far with
 * a refresh link. A 404 from `source` makes the page a 404, as for a detail section.
 *
 * `stream` answers server-sent events: `snapshot` (`{ text }`, the whole text: replaces what
 * is shown), `append` (`{ text }`), `status` and `end` (`{ status, phase? }`, shown beside the
 * text; after `end` the page reads its other sections again).
 */
export interface PanelLogSection {
  kind: 'log';
  title?: string;
  /** GET route under `/v1` answering the resource, e.g. `/websites/{website}/deployments/{deployment}`. */
  source: string;
  /** Field of the resource holding the text so far. */
  field: string;
  /** GET route under `/v1` streaming the rest (placeholders from the resource, then the page). */
  stream: string;
  /** The text still grows while these hold on the resource, e.g. `{ field: 'status', in: ['queued', 'running'] }`. */
  while: PanelCondition[];
}

/** One part of a page. */
export type PanelSection =
  PanelTableSection | PanelFormSection | PanelTextSection | PanelChartSection | PanelDetailSection | PanelLogSection;

/**
 * Core panel lists whose rows may link to a plugin's page ({@link PanelPageDefinition.linkFrom}):
 * `subscriptions` is the subscriptions list and the subscription cards of a customer's dashboard.
 */
export type PanelCoreList = 'subscriptions';

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
  /**
   * A path parameter: the page lives at `/p/<plugin id>/<id>/<value>` and `{<name>}` is that
   * value in its routes and title, e.g. `pathParam: 'id'` for `/p/billing/invoice/<id>`
   * linked from a column with `link: '/p/billing/invoice/{id}'`. A request without it is a 404.
   */
  pathParam?: string;
  /**
   * Put a link to this page on each row of a core panel list: `{ list: 'subscriptions', label:
   * 'Next invoice' }` shows "Next invoice" on every subscription, going to
   * `/p/<plugin id>/<id>/<the subscription's id>`. Needs `pathParam` (the row's id fills it).
   * The link shows to whoever may see this page; the core page knows nothing of the plugin.
   */
  linkFrom?: { list: PanelCoreList; label: string };
  /** Roles that see the page. Default: every role. */
  roles?: Role[];
  /** Permission a user needs to see the page. */
  permission?: string;
  sections: PanelSection[];
}
