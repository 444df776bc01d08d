/** Where everything lives under the plugin's root. One place, so renderers and services agree. */
import path from 'node:path';

export interface Layout {
  root: string;
  /** NGINX prefix (`-p`). */
  prefix: string;
  nginxConf: string;
  nginxPid: string;
  /** One `<name>.conf` per site. */
  sitesConf: string;
  /** Shared snippets (fastcgi params, mime types). */
  confDir: string;
  logs: string;
  run: string;
  tmp: string;
  /** Last applied spec per site (`<name>.json`): what a restart recovers from. */
  state: string;
  /** Site trees. */
  sites: string;
  php: string;
  /** Sites' certificates and keys (`<name>.crt`, `<name>.key`), readable by root only. */
  tls: string;
  /** ACME HTTP-01 tokens, served at `/.well-known/acme-challenge/` on every site. */
  acme: string;
}

export function layoutOf(root: string): Layout {
  const r = path.resolve(root);
  return {
    root: r,
    prefix: r,
    nginxConf: path.join(r, 'nginx', 'nginx.conf'),
    nginxPid: path.join(r, 'run', 'nginx.pid'),
    sitesConf: path.join(r, 'nginx', 'sites'),
    confDir: path.join(r, 'nginx'),
    logs: path.join(r, 'logs'),
    run: path.join(r, 'run'),
    tmp: path.join(r, 'tmp'),
    state: path.join(r, 'state'),
    sites: path.join(r, 'sites'),
    php: path.join(r, 'php'),
    tls: path.join(r, 'nginx', 'tls'),
    acme: path.join(r, 'acme-challenge'),
  };
}

export interface SitePaths {
  dir: string;
  public: string;
  logs: string;
  tmp: string;
  app: string;
  /** Marker files the driver keeps (WordPress installed, …). */
  meta: string;
}

export function sitePaths(layout: Layout, name: string): SitePaths {
  const dir = path.join(layout.sites, name);
  return {
    dir,
    public: path.join(dir, 'public'),
    logs: path.join(dir, 'logs'),
    tmp: path.join(dir, 'tmp'),
    app: path.join(dir, 'app'),
    meta: path.join(dir, '.hostplane'),
  };
}

export const siteConfFile = (layout: Layout, name: string): string => path.join(layout.sitesConf, `${name}.conf`);
export const phpDir = (layout: Layout, version: string): string => path.join(layout.php, version);
export const fpmConf = (layout: Layout, version: string): string => path.join(phpDir(layout, version), 'php-fpm.conf');
export const fpmPid = (layout: Layout, version: string): string => path.join(layout.run, `php-fpm${version}.pid`);
export const fpmLog = (layout: Layout, version: string): string => path.join(layout.logs, `php-fpm${version}.log`);
export const poolDir = (layout: Layout, version: string): string => path.join(phpDir(layout, version), 'pools');
export const poolFile = (layout: Layout, version: string, name: string): string =>
  path.join(poolDir(layout, version), `${name}.conf`);
/** Socket of a site's pool; the version is in the name so switching versions never collides. */
export const poolSocket = (layout: Layout, version: string, name: string): string =>
  path.join(layout.run, `${name}-${version}.sock`);

/** Adminer's files: the launcher (served), the token files and the PHP sessions (never served). */
export const adminerPaths = (layout: Layout) => {
  const dir = path.join(layout.root, 'adminer');
  return {
    dir,
    www: path.join(dir, 'www'),
    tokens: path.join(dir, 'tokens'),
    sessions: path.join(dir, 'sessions'),
    nginxConf: path.join(layout.confDir, 'adminer.conf'),
  };
};

/** A site's certificate chain and key as NGINX reads them (its master runs as root). */
export const tlsFiles = (layout: Layout, name: string): { certificate: string; key: string } => ({
  certificate: path.join(layout.tls, `${name}.crt`),
  key: path.join(layout.tls, `${name}.key`),
});
