/**
 * Checks of this machine: Node, the binaries enabled plugins run, ports, folders and disk.
 */
import { constants, existsSync, readdirSync, statSync } from 'node:fs';
import { access, readFile, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { HostConfig } from '../config.js';
import { fail, ok, warn, type CheckResult } from './check.js';
import type { EnabledPlugin } from './database.js';

export function checkNode(version = process.versions.node): CheckResult {
  const major = Number(version.split('.')[0]);
  return major >= 20 ? ok('node', `Node.js ${version}`) : fail('node', `Node.js ${version}: Hostplane needs 20 or newer`);
}

/** The web server plugin's settings the checks need, with its defaults. */
export function nginxSettings(plugins: EnabledPlugin[] | null, config: HostConfig): NginxSettings | null {
  const plugin = plugins?.find((p) => p.id === 'webserver-nginx');
  if (!plugin) return null;
  const c = plugin.config;
  const str = (key: string, fallback: string): string =>
    typeof c[key] === 'string' && c[key] !== '' ? (c[key] as string) : fallback;
  return {
    root: resolve(str('root', join(config.dataDir, 'webserver'))),
    nginxBinary: str('nginxBinary', '/usr/sbin/nginx'),
    phpFpmDir: str('phpFpmDir', '/usr/sbin'),
    httpPort: typeof c.httpPort === 'number' ? c.httpPort : 8080,
    listenAddress: str('listenAddress', '127.0.0.1'),
    adminerPort: typeof c.adminerPort === 'number' ? c.adminerPort : 0,
    adminerScript: str('adminerScript', '/usr/share/adminer/adminer.php'),
  };
}

export interface NginxSettings {
  root: string;
  nginxBinary: string;
  phpFpmDir: string;
  httpPort: number;
  listenAddress: string;
  /** Adminer's port (decision 0075); 0: no Adminer. */
  adminerPort?: number;
  adminerScript?: string;
}

function executable(path: string): boolean {
  try {
    return statSync(path).isFile() && (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The binaries enabled plugins run. */
export function checkBinaries(nginx: NginxSettings | null): CheckResult[] {
  if (!nginx) return [ok('binaries', 'no enabled plugin runs a system binary')];
  const results = [
    executable(nginx.nginxBinary)
      ? ok('binary nginx', nginx.nginxBinary)
      : fail(
          'binary nginx',
          `${nginx.nginxBinary} is missing or not executable (webserver-nginx is enabled): apt-get install nginx`,
        ),
  ];
  const fpm = existsSync(nginx.phpFpmDir) ? readdirSync(nginx.phpFpmDir).filter((f) => /^php-fpm[0-9.]+$/.test(f)) : [];
  results.push(
    fpm.length > 0
      ? ok('binary php-fpm', join(nginx.phpFpmDir, fpm.sort().at(-1)!))
      : fail('binary php-fpm', `no php-fpm* in ${nginx.phpFpmDir} (webserver-nginx is enabled): apt-get install php-fpm`),
  );
  // The file manager's "zip" runs Info-ZIP's zip as the site user; the rest works without it.
  const zip = ['/usr/bin/zip', '/usr/local/bin/zip'].find((f) => executable(f));
  results.push(
    zip
      ? ok('binary zip', zip)
      : warn('binary zip', 'zip is missing: the file manager cannot make archives (unzipping works): apt-get install zip'),
  );
  // Adminer (single sign-on from the databases plugin) only when webserver-nginx serves it.
  if (nginx.adminerPort && nginx.adminerScript) {
    results.push(
      existsSync(nginx.adminerScript)
        ? ok('adminer', nginx.adminerScript)
        : fail('adminer', `${nginx.adminerScript} is missing (webserver-nginx has an adminerPort): apt-get install adminer`),
    );
  }
  return results;
}

/** Whether `port` on `host` can be bound now: null when free, else the error code. */
function bindable(host: string, port: number): Promise<string | null> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    server.listen({ host: host === '*' ? '0.0.0.0' : host.replace(/^\[|\]$/g, ''), port, exclusive: true }, () =>
      server.close(() => done(null)),
    );
  });
}

/** True when a Hostplane host answers /health on that address (a running host holds its port). */
async function hostplaneAnswers(host: string, port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as Record<string, unknown>;
    return typeof body.ok === 'boolean' && 'database' in body;
  } catch {
    return false;
  }
}

/** True when an NGINX master runs with this prefix (the plugin's own, adopted across restarts). */
async function ownNginxRuns(root: string): Promise<boolean> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith('nginx: master process') && cmdline.includes(root)) return true;
  }
  return false;
}

export async function checkPorts(config: HostConfig, nginx: NginxSettings | null): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const hostPort = `port ${config.host}:${config.port}`;
  if (config.port === 0) results.push(ok(hostPort, 'a free port is picked at start'));
  else {
    const taken = await bindable(config.host, config.port);
    if (taken === null) results.push(ok(hostPort, 'free for the host'));
    else if (await hostplaneAnswers(config.host, config.port)) results.push(ok(hostPort, 'held by a running Hostplane host'));
    else results.push(fail(hostPort, `cannot be bound (${taken}): another program holds it; set HOSTPLANE_PORT or stop it`));
  }
  if (nginx) {
    const check = `port ${nginx.listenAddress}:${nginx.httpPort}`;
    const taken = await bindable(nginx.listenAddress, nginx.httpPort);
    if (taken === null) results.push(ok(check, 'free for NGINX'));
    else if (await ownNginxRuns(nginx.root)) results.push(ok(check, "held by the plugin's NGINX"));
    else
      results.push(
        fail(check, `cannot be bound (${taken}): another program holds it; change webserver-nginx httpPort or stop it`),
      );
  }
  return results;
}

/** The nearest folder of `path` that exists (itself, or a parent). */
function nearestExisting(path: string): string {
  let at = resolve(path);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/** Can this process create a file in `dir` (or `dir` itself where it is missing)? */
async function writable(dir: string): Promise<string | null> {
  if (!existsSync(dir)) {
    const parent = nearestExisting(dir);
    try {
      await access(parent, constants.W_OK);
      return statSync(parent).isDirectory() ? null : `${parent} is not a folder`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
  // access() says yes to root for any mode: create a file to know (immutable folders, read-only mounts).
  const probe = join(dir, `.hostplane-doctor-${process.pid}`);
  try {
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

export async function checkFolders(config: HostConfig, nginx: NginxSettings | null): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const folders: Array<[string, string]> = [
    ['data folder', config.dataDir],
    ['plugins folder', config.pluginsDir],
    ...(nginx ? ([['web server folder', nginx.root]] as Array<[string, string]>) : []),
  ];
  for (const [name, dir] of folders) {
    const problem = await writable(dir);
    if (problem)
      results.push(fail(name, `${dir} is not writable (${problem}): fix its owner or mode for the user the host runs as`));
    else results.push(ok(name, existsSync(dir) ? `${dir} writable` : `${dir} will be created at start`));
  }
  if (nginx) results.push(traversable(nginx.root));
  results.push(await secretKeyFile(config));
  return results;
}

/** NGINX's workers (www-data) must pass through every parent of the site trees. */
function traversable(root: string): CheckResult {
  const blocked: string[] = [];
  for (let at = dirname(resolve(root)); ; at = dirname(at)) {
    // A parent that is not a folder is the folder check's to report.
    if (existsSync(at) && statSync(at).isDirectory() && (statSync(at).mode & 0o001) === 0) blocked.push(at);
    if (dirname(at) === at) break;
  }
  return blocked.length === 0
    ? ok('web server folder parents', 'every parent lets NGINX workers pass')
    : fail('web server folder parents', `${blocked.join(', ')} do not let others pass (chmod o+x): sites would answer 404`);
}

async function secretKeyFile(config: HostConfig): Promise<CheckResult> {
  if (config.secretKey.key) return ok('secret key', 'HOSTPLANE_SECRET_KEY is set');
  const file = join(config.dataDir, 'secret.key');
  if (!existsSync(file)) return ok('secret key', `${file} is made at the first start`);
  const mode = statSync(file).mode & 0o777;
  return (mode & 0o077) === 0
    ? ok('secret key', `${file} readable by its owner only`)
    : fail('secret key', `${file} has mode ${mode.toString(8)}: chmod 600 it (it decrypts plugin secrets)`);
}

const GIB = 1024 ** 3;

export async function checkDisk(config: HostConfig): Promise<CheckResult> {
  const at = nearestExisting(config.dataDir);
  try {
    const stats = await statfs(at);
    const free = stats.bavail * stats.bsize;
    const share = free / (stats.blocks * stats.bsize);
    const detail = `${(free / GIB).toFixed(1)} GiB free (${Math.round(share * 100)} %) under ${at}`;
    if (share < 0.05 || free < GIB) return fail('disk space', `${detail}: free space before sites and the database fill it`);
    if (share < 0.1) return warn('disk space', detail);
    return ok('disk space', detail);
  } catch (err) {
    return fail('disk space', `cannot read the file system of ${at}: ${(err as Error).message}`);
  }
}
