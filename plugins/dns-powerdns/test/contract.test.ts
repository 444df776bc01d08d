/**
 * The shared DnsProvider contract against a real pdns_server started in managed mode, answers
 * checked with dig; then the same contract in external mode against that server's HTTP API.
 */
import t from 'tap';
import { dnsProviderContract } from '@hostplane/testing';
import { PowerDnsDriver } from '../src/index.js';
import { dig, managedConfig, systemMissing } from './helpers.js';

const missing = systemMissing();
t.test('PowerDNS passes the DnsProvider contract', { skip: missing ?? false }, async (t) => {
  const { config, cleanup } = await managedConfig();
  const driver = new PowerDnsDriver(config, config.root);
  t.teardown(async () => {
    await driver.stop();
    await cleanup();
  });
  const started = await driver.start();
  t.equal(started.state, 'ready', started.reason ?? 'managed server ready');

  await t.test('managed mode', async (t) => {
    await dnsProviderContract(t, {
      provider: driver.provider,
      zonePrefix: 'managed',
      resolve: (name, type) => dig(config.dnsPort, name, type),
    });
  });

  await t.test('external mode, against the same server through its API', async (t) => {
    const external = new PowerDnsDriver(
      {
        ...config,
        mode: 'external',
        apiUrl: `http://127.0.0.1:${config.apiPort}`,
        apiKey: driver.managed?.apiKey() ?? '',
        nameserverAddress: `127.0.0.1:${config.dnsPort}`,
      },
      config.root,
    );
    t.equal((await external.start()).state, 'ready');
    await dnsProviderContract(t, {
      provider: external.provider,
      zonePrefix: 'external',
      resolve: (name, type) => dig(config.dnsPort, name, type),
    });
    await external.stop();
    t.ok(await driver.managed?.pid(), 'stopping an external driver leaves the server alone');
  });

  await t.test('a wrong API key is a degraded status, not a crash', async (t) => {
    const wrong = new PowerDnsDriver(
      { ...config, mode: 'external', apiUrl: `http://127.0.0.1:${config.apiPort}`, apiKey: 'nope' },
      config.root,
    );
    const s = await wrong.start();
    t.equal(s.state, 'degraded');
    t.match(s.reason, /API key/);
  });
});
