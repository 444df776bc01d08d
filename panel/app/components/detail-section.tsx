/**
 * A plugin page's `detail` section (sdk/src/panel.ts): the fields of one resource as labels and
 * values, then the buttons and downloads the caller is offered on it (its permissions and the
 * resource's state). Buttons are plain forms and downloads plain links: no JavaScript needed.
 * A resource not made yet shows the section's `empty` text.
 */
import { offered } from '../lib/conditions';
import type { PanelRowAction, PanelDownload, PanelColumn } from '../lib/types';
import { PluginCell } from './plugin-cells';
import { RowActions } from './plugin-page-parts';
import { Alert, Card } from './ui';

export function DetailSection({
  title,
  index,
  fields,
  actions,
  downloads,
  resource,
  error,
  empty,
  permissions,
  formAction,
  downloadHref,
  refused,
}: {
  title: string;
  index: number;
  fields: PanelColumn[];
  actions: PanelRowAction[];
  downloads: PanelDownload[];
  resource: Record<string, unknown> | null;
  error: string | null;
  /** Shown when the resource does not exist (yet). */
  empty?: string | undefined;
  permissions: readonly string[];
  formAction: string;
  /** Where the panel serves download `i` of this section. */
  downloadHref: (i: number) => string;
  /** What the API said when one of these buttons was refused. */
  refused?: string | undefined;
}) {
  return (
    <Card title={title}>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {refused ? <Alert kind="error">{refused}</Alert> : null}
      {!resource && !error && empty ? <p className="muted text-sm">{empty}</p> : null}
      {resource ? (
        <div className="space-y-4">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            {fields.map((f) => (
              <div key={f.field} className="contents">
                <dt className="font-semibold">{f.label}</dt>
                <dd>
                  <PluginCell row={resource} column={f} />
                </dd>
              </div>
            ))}
          </dl>
          <div className="flex flex-wrap items-center gap-3">
            <RowActions
              actions={actions}
              section={index}
              row={resource}
              name=""
              formAction={formAction}
              permissions={permissions}
              size="normal"
            />
            {downloads.map((d, i) =>
              offered(d, resource, permissions) ? (
                <a key={i} className="btn-secondary" href={downloadHref(i)} download>
                  {d.label}
                </a>
              ) : null,
            )}
          </div>
        </div>
      ) : null}
    </Card>
  );
}
