/** Paths of the panel's file manager: `/`-separated, relative to the site's document root. */

export interface FileEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mode: string;
  modifiedAt: string;
}

/** `a/b` + `c` → `a/b/c`; the root is `''`. */
export function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}

/** The folder holding `path` (`''` for a name at the root). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Breadcrumbs of a folder: the root, then each folder on the way, with the path it opens. */
export function crumbsOf(folder: string): Array<{ name: string; path: string }> {
  const crumbs = [{ name: 'Files', path: '' }];
  const parts = folder.split('/').filter(Boolean);
  parts.forEach((name, i) => crumbs.push({ name, path: parts.slice(0, i + 1).join('/') }));
  return crumbs;
}

/** The page of a folder (and an entry chosen in it), as a link. */
export function filesUrl(siteId: string, folder: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({ ...(folder ? { path: folder } : {}), ...params }).toString();
  return `/websites/${encodeURIComponent(siteId)}/files${query ? `?${query}` : ''}`;
}

/** Modes a file or folder may get (the API refuses group and world write). */
export const MODES = ['0644', '0640', '0600', '0755', '0750', '0700', '0444', '0400'];

/** A name the editor opens as text (the API says for sure: it answers base64 for anything else). */
export function looksLikeText(name: string): boolean {
  return !/\.(png|jpe?g|gif|webp|ico|zip|gz|tgz|pdf|woff2?|ttf|eot|mp[34]|avi|mov|exe|bin|so)$/i.test(name);
}

/** The download of one file (a resource route: the bytes as an attachment). */
export function downloadUrl(siteId: string, path: string): string {
  return `/websites/${encodeURIComponent(siteId)}/files/download?path=${encodeURIComponent(path)}`;
}
