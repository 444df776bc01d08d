/**
 * Debian's `pebble` (Let's Encrypt's ACME test server) for the tests: its own config on free
 * ports, HTTP-01 validation against our NGINX's HTTP port, names resolved by our managed
 * PowerDNS (`-dnsserver`), no artificial sleeps, no nonce rejections. `stop()` ends it; a test
 * process that dies first takes it along (exit hook).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@hostplane/testing/free-port';

export { freePort };

export const PEBBLE = '/usr/bin/pebble';

/** Why pebble tests cannot run here, or null. HOSTPLANE_REQUIRE_SYSTEM=1 makes it a failure. */
export function pebbleMissing(): string | null {
  const missing: string[] = [];
  for (const [file, pkg] of [
    [PEBBLE, 'pebble'],
    ['/usr/bin/openssl', 'openssl'],
  ] as const) {
    try {
      accessSync(file, constants.X_OK);
    } catch {
      missing.push(`${file} (${pkg})`);
    }
  }
  if (missing.length === 0) return null;
  const reason = `needs ${missing.join(', ')}: apt-get install pebble openssl`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

export interface Pebble {
  /** ACME directory URL. */
  directoryUrl: string;
  /** PEM of the CA that signed pebble's own HTTPS certificate (trust it for the directory). */
  directoryCa: string;
  /** Pebble's current root (it makes a new one at each start), from its management API. */
  root(): Promise<string>;
  /** Its intermediate, from the management API. */
  intermediate(): Promise<string>;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /** Port HTTP-01 validation connects to (our NGINX's HTTP port). */
  httpPort: number;
  /** `host:port` of the DNS server pebble resolves names with (our PowerDNS). */
  dnsServer: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost (pebble's HTTPS listener). */
function listenerCertificate(dir: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-subj',
      '/CN=pebble test listener',
      '-days',
      '2',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { cwd: dir, stdio: 'pipe' },
  );
}

async function fetchText(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${url}`)));
    req.on('error', reject);
  });
}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hp-pebble-'));
  listenerCertificate(dir);
  const [port, managementPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    path.join(dir, 'pebble-config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: path.join(dir, 'cert.pem'),
        privateKey: path.join(dir, 'key.pem'),
        httpPort: options.httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        // Let's Encrypt's 90 days (pebble's default is five years).
        certificateValidityPeriod: 90 * 86_400,
      },
    }),
  );
  const directoryCa = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const log: string[] = [];
  const child: ChildProcess = spawn(PEBBLE, ['-config', path.join(dir, 'pebble-config.json'), '-dnsserver', options.dnsServer], {
    cwd: dir,
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => log.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => log.push(c.toString()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pebble exited: ${log.join('')}`);
    try {
      if ((await fetchText(directoryUrl, directoryCa)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      kill();
      throw new Error(`pebble did not answer within 15 s: ${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const management = async (what: string): Promise<string> => {
    const res = await fetchText(`https://127.0.0.1:${managementPort}/${what}`, directoryCa);
    if (res.status !== 200) throw new Error(`pebble /${what}: ${res.status}`);
    return res.body;
  };
  return {
    directoryUrl,
    directoryCa,
    root: () => management('roots/0'),
    intermediate: () => management('intermediates/0'),
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) {
          kill();
          await exited;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
