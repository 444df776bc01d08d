/**
 * HTTPS on real NGINX: a site with a certificate answers on the HTTPS port with its chain
 * (verified against the test's own CA), HSTS and the HTTP-to-HTTPS redirect are switches, ACME's
 * HTTP-01 tokens answer over plain HTTP even when HTTP redirects, and a certificate the driver
 * cannot use is refused while the previous one keeps serving.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { SiteTls } from '@hostplane/sdk';
import { fileDriver, freePort, get, site, systemMissing } from './helpers.js';

const missing = systemMissing() ?? (existsSync('/usr/bin/openssl') ? null : 'needs /usr/bin/openssl');

/** A CA and, per name, a leaf it signed: PEM strings made with the openssl command. */
function makePki(names: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hp-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=Hostplane test CA',
    '-days',
    '2',
  );
  const leaves = new Map<string, { certificate: string; key: string }>();
  for (const name of names) {
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:${name}\\n' > ${name}.ext`], { cwd: dir });
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
    leaves.set(name, {
      certificate: readFileSync(path.join(dir, `${name}.crt`), 'utf8'),
      key: readFileSync(path.join(dir, `${name}.key`), 'utf8'),
    });
  }
  const ca = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { ca, leaves };
}

/** GET over HTTPS to 127.0.0.1 with SNI and Host `name`, trusting only `ca`. */
function getTls(
  port: number,
  name: string,
  ca: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown>; peer: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: name, headers: { host: name }, ca, agent: false, path: '/' },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        const peer = (res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, peer }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

if (missing) {
  t.plan(0, missing);
} else {
  const httpsPort = await freePort();
  const { driver, root, port, name } = await fileDriver(t, { httpsPort });
  const status = await driver.start();
  t.equal(status.state, 'ready', `driver ready (${status.reason ?? ''})`);
  const n = name('tls');
  const other = name('tlsother');
  const domain = `${n}.example.test`;
  const { ca, leaves } = makePki([domain, `${other}.example.test`]);
  const leaf = leaves.get(domain)!;
  const tls = (overrides: Partial<SiteTls> = {}): SiteTls => ({
    certificate: `${leaf.certificate}${ca}`,
    key: leaf.key,
    forceHttps: false,
    hsts: true,
    ...overrides,
  });

  t.test('a site with a certificate answers HTTPS with its chain and HSTS; HTTP still answers', async (t) => {
    await driver.apply(site(n, { tls: tls() }));
    const res = await getTls(httpsPort, domain, ca);
    t.equal(res.status, 200);
    t.match(res.body, /It works/);
    t.equal(res.peer, domain, 'its own certificate, verified against the CA');
    t.equal(res.headers['strict-transport-security'], 'max-age=63072000');
    const plain = await get(port, domain);
    t.equal(plain.status, 200, 'plain HTTP serves the site too');
    t.equal(plain.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP');
    const keyMode = statSync(path.join(root, 'nginx', 'tls', `${n}.key`)).mode & 0o777;
    t.equal(keyMode, 0o600, 'the key file is readable by root only');
  });

  t.test('ACME tokens answer over HTTP, also when HTTP redirects to HTTPS', async (t) => {
    await driver.putChallenge('tok_en-1', 'tok_en-1.thumbprint');
    const token = await get(port, domain, '/.well-known/acme-challenge/tok_en-1');
    t.equal(token.status, 200);
    t.equal(token.body, 'tok_en-1.thumbprint');
    t.match(String(token.headers['content-type']), /^text\/plain/);

    await driver.apply(site(n, { tls: tls({ forceHttps: true, hsts: false }) }));
    const redirected = await get(port, domain, '/shop?x=1');
    t.equal(redirected.status, 301);
    t.equal(redirected.headers.location, `https://${domain}:${httpsPort}/shop?x=1`);
    t.equal(
      (await get(port, domain, '/.well-known/acme-challenge/tok_en-1')).body,
      'tok_en-1.thumbprint',
      'the challenge is not redirected',
    );
    t.equal((await getTls(httpsPort, domain, ca)).headers['strict-transport-security'], undefined, 'HSTS off');

    await driver.removeChallenge('tok_en-1');
    t.equal((await get(port, domain, '/.well-known/acme-challenge/tok_en-1')).status, 404);
    await t.rejects(
      driver.putChallenge('../../etc/passwd', 'x'),
      { code: 'WEBSERVER_ERR_CONFIG_REJECTED' },
      'a token is never a path',
    );
    await t.rejects(driver.putChallenge('ok', 'line\nbreak'), { code: 'WEBSERVER_ERR_CONFIG_REJECTED' });
  });

  t.test('a certificate NGINX could not use is refused and the previous one keeps serving', async (t) => {
    const foreign = leaves.get(`${other}.example.test`)!;
    await t.rejects(driver.apply(site(n, { tls: tls({ key: foreign.key }) })), {
      code: 'WEBSERVER_ERR_CONFIG_REJECTED',
      message: /tls\.key does not belong/,
    });
    await t.rejects(driver.apply(site(n, { tls: tls({ certificate: `${ca}${leaf.certificate}` }) })), {
      code: 'WEBSERVER_ERR_CONFIG_REJECTED',
      message: /key does not belong|chain must be in order/,
    });
    await t.rejects(driver.apply(site(n, { tls: tls({ certificate: 'not a certificate' }) })), {
      code: 'WEBSERVER_ERR_CONFIG_REJECTED',
    });
    // Text around the PEM blocks (a CA's bundle notes) is dropped: only the blocks reach the file.
    await driver.apply(
      site(n, { tls: tls({ certificate: `subject=CN\n${leaf.certificate}\nssl_certificate_key /etc/shadow;\n${ca}` }) }),
    );
    const written = readFileSync(path.join(root, 'nginx', 'tls', `${n}.crt`), 'utf8');
    t.notMatch(written, /shadow|subject=/, 'nothing but PEM reaches the certificate file');
    const still = await getTls(httpsPort, domain, ca);
    t.equal(still.status, 200, 'still served over HTTPS');
    t.equal(still.peer, domain);
  });

  t.test('without tls the site is plain HTTP again and its key is gone', async (t) => {
    await driver.apply(site(n, { tls: null }));
    t.equal((await get(port, domain)).status, 200);
    await t.rejects(getTls(httpsPort, domain, ca), 'nothing answers HTTPS for it');
    t.notOk(existsSync(path.join(root, 'nginx', 'tls', `${n}.key`)), 'the key file is removed');
  });
}
