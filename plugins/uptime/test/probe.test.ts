/**
 * One check against real local servers: what counts as up (an answer below 400, the keyword),
 * what as down and how it is put in words, the time limit, TLS names, and a customer's DNS
 * pointing the checker at the platform's own addresses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { probe, type ProbeTarget } from '../src/index.js';

const routes: Record<string, (res: http.ServerResponse) => void> = {
  '/': (res) => res.end('<h1>Welcome</h1>'),
  '/moved': (res) => res.writeHead(301, { location: 'https://example.test/' }).end(),
  '/missing': (res) => res.writeHead(404).end('not here'),
  '/broken': (res) => res.writeHead(502).end('bad gateway'),
  '/slow': () => undefined, // never answers
  '/late-keyword': (res) => {
    res.write('x'.repeat(300 * 1024));
    res.end('Welcome');
  },
};
const seen: Array<{ host?: string; ua?: string }> = [];
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  seen.push({ host: req.headers.host, ua: req.headers['user-agent'] });
  (routes[req.url ?? ''] ?? routes['/missing']!)(res);
};
const server = http.createServer(handler);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
t.teardown(() => {
  server.closeAllConnections();
  server.close();
});

const target = (over: Partial<ProbeTarget> = {}): ProbeTarget => ({
  protocol: 'http',
  host: 'shop.example.test',
  path: '/',
  keyword: null,
  timeoutMs: 2000,
  connectTo: { host: '127.0.0.1', port },
  allowPrivateAddresses: false,
  ...over,
});

t.test('an answer below 400 is up; the site’s domain goes as Host', async (t) => {
  t.match(await probe(target()), { up: true, statusCode: 200, error: null });
  t.match(seen.at(-1), { host: 'shop.example.test', ua: /^Hostplane-Uptime\// });
  t.match(await probe(target({ path: '/moved' })), { up: true, statusCode: 301 }, 'a redirect is an answer, not followed');
});

t.test('4xx and 5xx are down, in words', async (t) => {
  t.match(await probe(target({ path: '/missing' })), { up: false, statusCode: 404, error: 'HTTP 404' });
  t.match(await probe(target({ path: '/broken' })), { up: false, statusCode: 502, error: 'HTTP 502' });
});

t.test('the keyword must be on the page, within its first 256 KiB', async (t) => {
  t.match(await probe(target({ keyword: 'Welcome' })), { up: true });
  t.match(await probe(target({ keyword: 'Goodbye' })), { up: false, statusCode: 200, error: 'the keyword is not on the page' });
  t.match(await probe(target({ path: '/late-keyword', keyword: 'Welcome' })), { up: false }, 'past 256 KiB is not read');
});

t.test('the time limit', async (t) => {
  const result = await probe(target({ path: '/slow', timeoutMs: 300 }));
  t.match(result, { up: false, statusCode: null, error: 'timed out after 0 s' });
  t.ok(result.responseMs >= 290 && result.responseMs < 2000, `${result.responseMs} ms`);
});

t.test('nothing listening', async (t) => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const free = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  t.match(await probe(target({ connectTo: { host: '127.0.0.1', port: free } })), { up: false, error: 'connection refused' });
});

t.test('a domain resolving to a private address is not fetched unless allowed', async (t) => {
  const base = target({ connectTo: null, host: 'localhost' });
  t.match(await probe(base), { up: false, statusCode: null, error: /private address/ });
  const allowed = await probe({ ...base, allowPrivateAddresses: true });
  t.notMatch(allowed.error ?? '', /private address/, `allowed, it is fetched (${allowed.error ?? allowed.statusCode})`);
  t.match(await probe({ ...base, host: 'no-such-name.invalid' }), { up: false, error: 'the domain does not resolve' });
  // Which addresses count as private: the SDK's isInternalAddress (sdk/test/network.test.ts).
});

t.test('https: the certificate must name the domain', { skip: opensslMissing() }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hp-uptime-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
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
      '-days',
      '1',
      '-subj',
      '/CN=shop.example.test',
      '-addext',
      'subjectAltName=DNS:shop.example.test',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const tls = https.createServer(
    { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
    handler,
  );
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    tls.closeAllConnections();
    tls.close();
  });
  const tlsPort = (tls.address() as AddressInfo).port;
  const result = await probe(target({ protocol: 'https', connectTo: { host: '127.0.0.1', port: tlsPort } }));
  t.match(
    result,
    { up: false, statusCode: null, error: /TLS certificate not accepted/ },
    'a certificate nobody vouches for is down',
  );
});

function opensslMissing(): string | false {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'openssl is not installed';
  }
}
