/**
 * The parts of the website file manager (routes/website-files.tsx): the folder's listing (which
 * is also the zip form: tick entries, name the archive) and the card of the chosen entry with its
 * forms. Plain HTML forms: each posts to the folder's page, which the action answers.
 */
import { Form, Link } from 'react-router';
import type { ActionResult } from '../lib/action';
import { fieldError } from '../lib/action';
import { downloadUrl, filesUrl, joinPath, looksLikeText, MODES, type FileEntry } from '../lib/site-files';
import { Alert, Card, CsrfInput, EmptyState, Field, formatBytes, formatDate } from './ui';

type Refusal = ActionResult | undefined;

/** A refusal's words inline, beside the form it is about (unless a field shows them already). */
export function FormError({ result }: { result: Refusal }) {
  if (!result || result.ok || Object.keys(result.errors.fields).length > 0) return null;
  return <Alert kind="error">{result.errors.message}</Alert>;
}

/** What every form sends besides its fields; without `intent` the submit buttons carry it. */
function Hidden({ intent, folder, name }: { intent?: string; folder: string; name?: string }) {
  return (
    <>
      <CsrfInput />
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <input type="hidden" name="folder" value={folder} />
      {name !== undefined ? <input type="hidden" name="name" value={name} /> : null}
    </>
  );
}

const TYPE_WORD: Record<FileEntry['type'], string> = { file: 'File', directory: 'Folder', symlink: 'Link', other: 'Other' };

export function FileListing({
  siteId,
  folder,
  entries,
  canWrite,
  error,
}: {
  siteId: string;
  folder: string;
  entries: FileEntry[];
  canWrite: boolean;
  error: Refusal;
}) {
  return (
    <Card title={folder ? `Folder ${folder}` : 'Document root'}>
      {entries.length === 0 ? (
        <EmptyState title="This folder is empty." />
      ) : (
        <Form method="post" action={filesUrl(siteId, folder)} className="space-y-4">
          <Hidden intent="zip" folder={folder} />
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left">
                {canWrite ? (
                  <th scope="col">
                    <span className="sr-only">Zip</span>
                  </th>
                ) : null}
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Size</th>
                <th scope="col">Mode</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.name} className="border-t border-slate-200 dark:border-slate-800">
                  {canWrite ? (
                    <td>
                      <input type="checkbox" name="names" value={e.name} aria-label={`Zip ${e.name}`} />
                    </td>
                  ) : null}
                  <td className="py-1">
                    {e.type === 'directory' ? (
                      <Link className="link font-medium" to={filesUrl(siteId, joinPath(folder, e.name))}>
                        {e.name}/
                      </Link>
                    ) : (
                      <Link className="link" to={filesUrl(siteId, folder, { item: e.name })}>
                        {e.name}
                      </Link>
                    )}{' '}
                    {e.type === 'directory' ? (
                      <Link
                        className="muted text-xs"
                        to={filesUrl(siteId, folder, { item: e.name })}
                        aria-label={`Manage ${e.name}`}
                      >
                        (manage)
                      </Link>
                    ) : null}
                  </td>
                  <td>{TYPE_WORD[e.type]}</td>
                  <td>{e.type === 'file' ? formatBytes(e.size) : '—'}</td>
                  <td>
                    <code>{e.mode}</code>
                  </td>
                  <td>{formatDate(e.modifiedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canWrite ? (
            <div className="flex flex-wrap items-end gap-3">
              <div className="min-w-56 flex-1">
                <Field
                  name="archive"
                  label="Zip the ticked entries into"
                  defaultValue="archive.zip"
                  required
                  error={fieldError(error, 'archive')}
                />
              </div>
              <button type="submit" className="btn-secondary">
                Zip
              </button>
            </div>
          ) : null}
          <FormError result={error} />
        </Form>
      )}
    </Card>
  );
}

export function SelectedEntry({
  siteId,
  folder,
  entry,
  canWrite,
  confirmDelete,
  editing,
  errorOf,
}: {
  siteId: string;
  folder: string;
  entry: FileEntry;
  canWrite: boolean;
  confirmDelete: boolean;
  editing: { content: string } | { error: string } | null;
  errorOf: (intent: string) => Refusal;
}) {
  const path = joinPath(folder, entry.name);
  const here = filesUrl(siteId, folder, { item: entry.name });
  // Forms post to this entry's page, so a refusal renders beside the form it is about.
  const action = here;
  return (
    <Card title={entry.name}>
      <div className="space-y-5">
        <p className="muted text-sm">
          {TYPE_WORD[entry.type]} · mode <code>{entry.mode}</code>
          {entry.type === 'file' ? ` · ${formatBytes(entry.size)}` : ''}
        </p>
        {entry.type === 'file' ? (
          // A plain link: the browser saves the attachment; client-side routing would not.
          <a className="link text-sm" href={downloadUrl(siteId, path)} download={entry.name}>
            Download {entry.name}
          </a>
        ) : null}
        {entry.type === 'file' && canWrite && looksLikeText(entry.name) ? (
          editing ? (
            'error' in editing ? (
              <Alert kind="warning">{editing.error}</Alert>
            ) : (
              <Form method="post" action={filesUrl(siteId, folder, { item: entry.name, edit: '1' })} className="space-y-3">
                <Hidden intent="save" folder={folder} name={entry.name} />
                <label htmlFor="f-content" className="block text-sm font-medium">
                  Content of {entry.name}
                </label>
                <textarea
                  id="f-content"
                  name="content"
                  className="input h-80 w-full font-mono text-xs"
                  defaultValue={editing.content}
                />
                <FormError result={errorOf('save')} />
                <button type="submit" className="btn-primary">
                  Save
                </button>
              </Form>
            )
          ) : (
            <Link className="btn-secondary" to={filesUrl(siteId, folder, { item: entry.name, edit: '1' })}>
              Edit
            </Link>
          )
        ) : null}
        {canWrite ? (
          <>
            <Form method="post" action={action} className="space-y-3">
              <Hidden folder={folder} name={entry.name} />
              <Field
                id="f-to-move"
                name="to"
                label="Rename, move or copy to (a path in the site)"
                defaultValue={path}
                required
                error={fieldError(errorOf('rename') ?? errorOf('copy'), 'to')}
              />
              <FormError result={errorOf('rename') ?? errorOf('copy')} />
              <div className="flex gap-3">
                <button type="submit" name="intent" value="rename" className="btn-secondary">
                  Rename or move
                </button>
                <button type="submit" name="intent" value="copy" className="btn-secondary">
                  Copy
                </button>
              </div>
            </Form>
            <Form method="post" action={action} className="flex flex-wrap items-end gap-3">
              <Hidden intent="chmod" folder={folder} name={entry.name} />
              <div>
                <label htmlFor="f-mode" className="block text-sm font-medium">
                  Mode
                </label>
                <select
                  id="f-mode"
                  name="mode"
                  className="input"
                  defaultValue={MODES.includes(entry.mode) ? entry.mode : MODES[0]}
                >
                  {MODES.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="btn-secondary">
                Change mode
              </button>
              <div className="w-full">
                <FormError result={errorOf('chmod')} />
              </div>
            </Form>
            {entry.type === 'file' && entry.name.toLowerCase().endsWith('.zip') ? (
              <Form method="post" action={action} className="space-y-3">
                <Hidden intent="unzip" folder={folder} name={entry.name} />
                <Field
                  id="f-to-unzip"
                  name="to"
                  label="Extract into the folder"
                  hint="Made if missing; names that exist there already are refused"
                  defaultValue={folder}
                />
                <FormError result={errorOf('unzip')} />
                <button type="submit" className="btn-secondary">
                  Unzip
                </button>
              </Form>
            ) : null}
            {confirmDelete || errorOf('delete') ? (
              <Form
                method="post"
                action={filesUrl(siteId, folder, { item: entry.name, confirm: 'delete' })}
                className="space-y-3"
              >
                <Hidden intent="delete" folder={folder} name={entry.name} />
                <Alert kind="warning">
                  {entry.type === 'directory' ? 'This deletes the folder and everything in it.' : 'This deletes the file.'} It
                  cannot be undone.
                </Alert>
                <Field
                  name="confirm"
                  label={`Type ${entry.name} to confirm`}
                  required
                  error={fieldError(errorOf('delete'), 'confirm')}
                />
                <FormError result={errorOf('delete')} />
                <div className="flex gap-3">
                  <button type="submit" className="btn-danger">
                    Delete
                  </button>
                  <Link className="btn-secondary" to={here}>
                    Cancel
                  </Link>
                </div>
              </Form>
            ) : (
              <Link className="btn-danger" to={filesUrl(siteId, folder, { item: entry.name, confirm: 'delete' })}>
                Delete…
              </Link>
            )}
          </>
        ) : null}
      </div>
    </Card>
  );
}
