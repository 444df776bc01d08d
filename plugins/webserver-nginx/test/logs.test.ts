/**
 * Sites' structured access logs and their rotation against real NGINX: real requests write
 * JSON lines (quotes and control bytes in a path cannot forge a field), a rotation hands over
 * complete files while later requests land in the new one, and retention bounds what is kept.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import t from 'tap';
import type { AccessLogRecord } from '@hostplane/sdk';
import { fileDriver, get, site, systemMissing } from './helpers.js';

/** A raw request line NGINX accepts but a URL library would clean up. */
function rawGet(port: number, host: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: a"b\tc\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', () => undefined);
    socket.on('end', () => resolve());
    socket.on('error', reject);
  });
}

const lines = async (file: string): Promise<AccessLogRecord[]> =>
  (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AccessLogRecord);

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const { driver, port, name } = await fileDriver(t, { logRetentionFiles: 2 });
  const n = name('logs');

  t.test('requests are logged as JSON records; rotation returns complete files', async (t) => {
    t.equal((await driver.start()).state, 'ready');
    const applied = await driver.apply(site(n));
    await fs.writeFile(`${applied.documentRoot}/index.html`, 'x'.repeat(1000));
    for (let i = 0; i < 5; i += 1) t.equal((await get(port, `${n}.example.test`)).status, 200);
    t.equal((await get(port, `${n}.example.test`, '/missing?q=1')).status, 404);
    await rawGet(port, `${n}.example.test`, '/a%22b"c?x=%00');
    const rotated = await driver.rotateLogs();
    const access = rotated.filter((f) => f.siteName === n && f.kind === 'access');
    t.equal(access.length, 1, 'one rotated access log');
    const records = await lines(access[0]!.file);
    t.equal(records.length, 7, 'every request is in the rotated file');
    t.same(
      records.slice(0, 5).map((r) => [r.s, r.m, r.u, r.h]),
      Array.from({ length: 5 }, () => [200, 'GET', '/', `${n}.example.test`]),
    );
    t.ok(records[0]!.o > 1000, 'bytes sent include the body');
    t.ok(records[0]!.i > 0, 'bytes received');
    t.match(records[0]!.t, /^\d{4}-\d\d-\d\dT/);
    t.equal(records[5]!.u, '/missing?q=1');
    t.equal(records[5]!.s, 404);
    t.equal(records[6]!.u, '/a%22b"c?x=%00', 'a quote in the path stays inside its field');
    t.equal(records[6]!.ua, 'a"b\tc');

    // After the rotation, requests go to the new file only.
    await get(port, `${n}.example.test`, '/after');
    const current = (await driver.siteLogs({ id: '', name: n })).filter((f) => f.kind === 'access');
    t.equal(current[0]!.rotatedAt, null, 'the current file comes first');
    t.same(
      (await lines(current[0]!.file)).map((r) => r.u),
      ['/after'],
    );
    t.equal((await lines(access[0]!.file)).length, 7, 'the rotated file did not grow');
  });

  t.test('retention keeps the newest rotated files only; an empty log is not rotated', async (t) => {
    for (let i = 0; i < 3; i += 1) {
      await get(port, `${n}.example.test`, `/r${i}`);
      await driver.rotateLogs();
    }
    const again = await driver.rotateLogs();
    const access = again.filter((f) => f.siteName === n && f.kind === 'access');
    t.equal(access.length, 2, 'logRetentionFiles = 2');
    t.same(
      (await lines(access[1]!.file)).map((r) => r.u),
      ['/r2'],
      'the newest rotation is kept',
    );
  });

  t.test('a site name that is not one is refused', async (t) => {
    await t.rejects(driver.siteLogs({ id: '', name: '../etc' }), { code: 'WEBSERVER_ERR_CONFIG_REJECTED' });
  });
}
