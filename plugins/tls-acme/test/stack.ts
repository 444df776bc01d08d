/**
 * The whole path for the issuance tests: accounts, websites, the NGINX driver (real nginx on
 * free HTTP/HTTPS ports), dns + dns-powerdns (a managed pdns_server answering for the sites'
 * zones, at 127.0.0.1), pebble resolving through that pdns_server and validating HTTP-01 against
 * that NGINX, and this plugin trusting pebble's listener.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import https from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import dns from '@hostplane/plugin-dns';
import powerdns from '@hostplane/plugin-dns-powerdns';
import nginx from '@hostplane/plugin-webserver-nginx';
import websites from '@hostplane/plugin-websites';
import tlsAcme from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf, type TestUser } from '../../accounts/test/helpers.js';
import { managedConfig, systemMissing as pdnsMissing, dig } from '../../dns-powerdns/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, removeUsers, systemMissing as nginxMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { pebbleMissing, startPebble } from './pebble.js';

/** Why the stack cannot run here, or null. */
export function stackMissing(): string | null {
  return nginxMissing() ?? pdnsMissing() ?? pebbleMissing();
}

/** Poll until `probe` returns something other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Served {
  authorized: boolean;
  authorizationError: string | null;
  certificate: PeerCertificate;
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** GET / over HTTPS for `servername`, trusting only `ca`: what the server presented. */
export function fetchTls(port: number, servername: string, ca: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername,
        headers: { host: servername },
        ca,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        res.resume();
        res.on('end', () =>
          resolve({
            authorized: socket.authorized,
            authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
            certificate: socket.getPeerCertificate(),
            status: res.statusCode ?? 0,
            headers: res.headers,
          }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export async function startStack(options: { tlsConfig?: Record<string, unknown> } = {}) {
  const root = await tempRoot();
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pdns = await managedConfig();
  const pebble = await startPebble({ httpPort, dnsServer: `127.0.0.1:${pdns.config.dnsPort}` });
  const host = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: websites, version: '0.1.0' },
      { definition: nginx, version: '0.1.0' },
      dns,
      { definition: powerdns, version: '0.1.0' },
      tlsAcme,
    ],
    config: {
      // Sweeps that would fire every minute over the months the renewal tests move the clock by
      // run yearly here; changes reach the servers through their jobs and events meanwhile.
      websites: { sweepCron: '0 0 1 1 *' },
      'webserver-nginx': { root, httpPort, httpsPort, workerProcesses: 1 },
      dns: { allowReservedTlds: true, serverIpv4: '127.0.0.1', sweepCron: '0 0 1 1 *' },
      'dns-powerdns': { ...pdns.config },
      'tls-acme': {
        directoryUrl: pebble.directoryUrl,
        directoryCa: pebble.directoryCa,
        sweepCron: '0 4 * * *',
        ...options.tlsConfig,
      },
    },
  });
  const sql = sqlOf(host);
  const names: string[] = [];
  const admin = await makeUser(sql, 'super_admin');
  const reseller = await makeUser(sql, 'reseller', admin);
  const alice = await makeUser(sql, 'customer', reseller);
  const pkg = (await caller(host, admin).post('/v1/packages', packageBody({ limits: { websites: 100, domains: 200 } }))).body;
  const subscription = (
    await caller(host, admin).post('/v1/subscriptions', { customerId: alice.id, packageId: pkg.id, billingCycle: 'monthly' })
  ).body.id as string;
  const tag = randomUUID().slice(0, 6);

  /** A static site of `user` on `<label>-<tag>.test`, served, and its zone answering at 127.0.0.1. */
  async function website(
    label: string,
    user: TestUser = alice,
    timeoutMs = 60_000,
  ): Promise<{ id: string; domain: string; name: string }> {
    const domain = `${label}-${tag}.test`;
    const res = await caller(host, user).post('/v1/websites', { domain, kind: 'static', subscriptionId: subscription });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    names.push(res.body.name);
    await eventually(async () => {
      const site = (await caller(host, user).get(`/v1/websites/${res.body.id}`)).body;
      return site.status === 'active' ? site : undefined;
    }, timeoutMs);
    await eventually(
      async () => ((await dig(pdns.config.dnsPort, domain, 'A')).includes('127.0.0.1') ? true : undefined),
      timeoutMs,
    );
    return { id: res.body.id as string, domain, name: res.body.name as string };
  }

  async function close(): Promise<void> {
    await sql.destroy();
    await host.kernel.disable('webserver-nginx');
    await host.kernel.disable('dns-powerdns');
    await host.close();
    await pebble.stop();
    await pdns.cleanup();
    await assertNoDaemons(root);
    await removeUsers(names);
    await rm(root, { recursive: true, force: true });
  }

  const pdnsPort = pdns.config.dnsPort;
  return { host, sql, pebble, admin, reseller, alice, subscription, httpPort, httpsPort, pdnsPort, tag, website, close };
}
