/**
 * DNS benchmark: 1,000 zones of 10 records created in one API burst and served by a managed
 * PowerDNS (pdns_server on PostgreSQL): time until every zone answers on the wire with its
 * serial, and queries per second the server answers over UDP.
 *
 * Baselines from the same run: one zone alone (create → answering), multiplied by the count, is
 * what applying them one by one would take; queries per second with only that first zone.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/dns.ts
 * Env: BENCH_ZONES (default 1000), BENCH_PARALLEL (concurrent API requests, default 50),
 * BENCH_QPS_SECONDS (default 5), HOSTPLANE_TEST_DATABASE_URL (a role that may create databases).
 * Needs: apt-get install pdns-server pdns-backend-pgsql.
 */
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../plugins/accounts/src/index.js';
import dns from '../plugins/dns/src/index.js';
import powerdns, { dropDatabase } from '../plugins/dns-powerdns/src/index.js';
import { freePort } from '@hostplane/testing/free-port';

const ZONES = Number(process.env.BENCH_ZONES ?? 1000);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 50);
const QPS_SECONDS = Number(process.env.BENCH_QPS_SECONDS ?? 5);
const ADMIN_URL = process.env.HOSTPLANE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** A DNS query (no recursion) for `name`/`type` as a UDP payload. */
function query(id: number, name: string, type: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4); // one question
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail]);
}

/** The serial of `zone`'s SOA as the server answers it (0 when it does not). */
function soaSerial(socket: dgram.Socket, port: number, zone: string): Promise<number> {
  return new Promise((resolve) => {
    const id = Math.floor(Math.random() * 65535);
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      resolve(0);
    }, 2000);
    const onMessage = (msg: Buffer) => {
      if (msg.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      const rcode = msg.readUInt16BE(2) & 0xf;
      if (rcode !== 0 || msg.readUInt16BE(6) === 0) return resolve(0);
      // The answer's SOA rdata ends with serial, refresh, retry, expire, minimum (5 × 4 bytes).
      resolve(msg.readUInt32BE(msg.length - 20));
    };
    socket.on('message', onMessage);
    socket.send(query(id, zone, 6), port, '127.0.0.1');
  });
}

/** Answers per second with `window` queries in flight, for `seconds`, over `zones`. */
async function qps(port: number, zones: string[], seconds: number, window = 64): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  let answered = 0;
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const send = () => {
    const zone = zones[next % zones.length] as string;
    socket.send(query(next++ & 0xffff, `www.${zone}`, 1), port, '127.0.0.1');
  };
  const done = new Promise<void>((resolve) => {
    socket.on('message', () => {
      answered += 1;
      if (performance.now() < end) send();
      else resolve();
    });
  });
  for (let i = 0; i < window; i += 1) send();
  // Lost datagrams shrink the window; top it up while running.
  const topUp = setInterval(() => {
    if (next - answered < window / 2) for (let i = 0; i < window / 2; i += 1) send();
  }, 50);
  await Promise.race([done, new Promise((r) => setTimeout(r, seconds * 1000 + 2000))]);
  clearInterval(topUp);
  socket.close();
  return answered / seconds;
}

const root = await mkdtemp(join(tmpdir(), 'hp-bench-dns-'));
const databaseName = `hp_pdns_bench_${process.pid}`;
const pdnsConfig = { root, dnsPort: await freePort(), apiPort: await freePort(), databaseUrl: ADMIN_URL, databaseName };
const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, powerdns, dns],
  config: { 'dns-powerdns': pdnsConfig, dns: { allowReservedTlds: true, serverIpv4: '192.0.2.80', sweepCron: '0 0 1 1 *' } },
});
const sql = knexFactory({ client: 'pg', connection: host.databaseUrl, pool: { min: 0, max: 2 } });
const [admin] = (await sql('hostplane.users')
  .insert({ email: 'bench-admin@example.test', name: 'Admin', role: 'super_admin' })
  .returning('id')) as Array<{ id: string }>;
const headers = host.headersFor('super_admin', { userId: admin?.id as string });
const server = (await host.inject({ method: 'GET', url: '/v1/dns/server', headers })).json<{ state: string; reason: string }>();
if (server.state !== 'ready') throw new Error(`the DNS server is not ready: ${server.reason}`);
const socket = dgram.createSocket('udp4');
socket.setMaxListeners(0); // one listener per query in flight
await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));

/** A zone from the template (8 records) plus 2 more: 10 records. */
async function createZone(i: number): Promise<{ name: string; serial: number }> {
  const name = `bench-${i}.test`;
  const res = await host.inject({ method: 'POST', url: '/v1/dns/zones', headers, payload: { name } });
  if (res.statusCode !== 201) throw new Error(`zone ${i}: ${res.body}`);
  const id = res.json<{ id: string }>().id;
  let serial = 0;
  for (const [label, data] of [
    ['api', '192.0.2.81'],
    ['cdn', '192.0.2.82'],
  ]) {
    const r = await host.inject({
      method: 'POST',
      url: `/v1/dns/zones/${id}/records`,
      headers,
      payload: { name: label, type: 'A', data },
    });
    if (r.statusCode !== 201) throw new Error(`record in zone ${i}: ${r.body}`);
  }
  serial = (await host.inject({ method: 'GET', url: `/v1/dns/zones/${id}`, headers })).json<{ serial: number }>().serial;
  return { name, serial };
}

/** Until every zone answers its latest serial on the wire. */
async function allAnswer(zones: Array<{ name: string; serial: number }>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  let waiting = zones;
  while (waiting.length > 0) {
    if (performance.now() - start > timeoutMs) throw new Error(`${waiting.length} zones not answering after ${timeoutMs} ms`);
    const still: typeof zones = [];
    for (let i = 0; i < waiting.length; i += 50) {
      const batch = waiting.slice(i, i + 50);
      const serials = await Promise.all(batch.map((z) => soaSerial(socket, pdnsConfig.dnsPort, z.name)));
      batch.forEach((z, k) => (serials[k] === z.serial ? null : still.push(z)));
    }
    waiting = still;
    if (waiting.length) await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - start;
}

// Baseline: one zone alone, create → answering.
const oneStart = performance.now();
const first = await createZone(0);
await allAnswer([first], 30_000);
const singleMs = performance.now() - oneStart;
const qpsOne = await qps(pdnsConfig.dnsPort, [first.name], QPS_SECONDS);

// The burst.
const burstStart = performance.now();
const made: Array<{ name: string; serial: number }> = [];
let next = 1;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    while (next < ZONES) {
      const i = next;
      next += 1;
      made.push(await createZone(i));
    }
  }),
);
const acceptedMs = performance.now() - burstStart;
await allAnswer(made, 600_000);
const answeringMs = performance.now() - burstStart;
const qpsAll = await qps(pdnsConfig.dnsPort, [first.name, ...made.map((z) => z.name)], QPS_SECONDS);

const result = {
  bench: 'dns',
  zones: ZONES,
  recordsPerZone: 10,
  acceptedSeconds: +(acceptedMs / 1000).toFixed(2),
  allAnsweringSeconds: +(answeringMs / 1000).toFixed(2),
  singleZoneSeconds: +(singleMs / 1000).toFixed(3),
  speedupVsOneByOne: +((singleMs * (ZONES - 1)) / answeringMs).toFixed(1),
  qpsOneZone: Math.round(qpsOne),
  qpsAllZones: Math.round(qpsAll),
  qpsRatio: +(qpsAll / qpsOne).toFixed(2),
};
console.log(
  `${ZONES} zones of 10 records accepted in ${result.acceptedSeconds} s, all answering after ${result.allAnsweringSeconds} s`,
);
console.log(`one zone alone: ${result.singleZoneSeconds} s create → answering (${result.speedupVsOneByOne}× for the burst)`);
console.log(
  `UDP queries answered per second: ${result.qpsOneZone} with 1 zone, ${result.qpsAllZones} with ${ZONES} (${result.qpsRatio}×)`,
);

socket.close();
await sql.destroy();
// pdns_server outlives a host that stops; disabling the plugin ends it. Then drop its database.
await host.kernel.disable('dns-powerdns');
await host.close();
await dropDatabase(ADMIN_URL, databaseName);
await rm(root, { recursive: true, force: true });
console.log(JSON.stringify(result));
