/**
 * HOSTPLANE_TRUST_PROXY: behind the proxies it names, each visitor's address comes from
 * X-Forwarded-For (its own rate-limit budget); from anyone else the header is ignored, so a
 * client cannot pick an address to walk around a limit.
 */
import type { RouteRegistrar } from '@hostplane/sdk';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { routesPlugin } from './helpers/plugins.js';

t.test('HOSTPLANE_TRUST_PROXY names proxies, never everyone', async (t) => {
  const proxiesOf = (value: string | undefined) =>
    loadConfig(value === undefined ? {} : { HOSTPLANE_TRUST_PROXY: value }, '/tmp').trustProxy;
  t.same(proxiesOf(undefined), [], 'unset: the socket only');
  t.same(proxiesOf(''), []);
  t.same(proxiesOf('127.0.0.1'), ['127.0.0.1']);
  t.same(proxiesOf(' 10.0.0.0/8, ::1 ,fd00::/8,loopback'), ['10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
  const refused: Array<[string, RegExp]> = [
    ['*', /would trust every client/],
    ['true', /would trust every client/],
    ['0.0.0.0/0', /trusts every address/],
    ['::/0', /trusts every address/],
    ['10.0.0.0/33', /prefix length outside 0–32/],
    ['fd00::/129', /prefix length outside 0–128/],
    ['10.0.0.0/x', /prefix length/],
    ['proxy.example.com', /not an IP address/],
    ['127.0.0.1,,10.0.0.1', /empty entry/],
    ['127.0.0.1\u0000', /not an IP address/],
    ['1'.repeat(5000), /not an IP address/],
  ];
  for (const [value, message] of refused) {
    t.throws(
      () => loadConfig({ HOSTPLANE_TRUST_PROXY: value }, '/tmp'),
      { code: 'HOST_ERR_CONFIG_INVALID', message: new RegExp(`^HOSTPLANE_TRUST_PROXY: .*${message.source}`) },
      JSON.stringify(value.slice(0, 40)),
    );
  }
});

const ping: RouteRegistrar = (app) => {
  app.get('/', { config: { public: true, rateLimit: { max: 1, timeWindow: '1 minute' } } }, async (request) => ({
    ip: request.ip,
  }));
};
const { kernel } = await bootKernel(t, { plugins: [routesPlugin('ping', ping)] });

/** GET /v1/ping from `from`, saying it forwards for `client`. */
async function ping1(host: Awaited<ReturnType<typeof startGateway>>['host'], from: string, client: string) {
  const res = await host.inject({ method: 'GET', url: '/v1/ping', remoteAddress: from, headers: { 'x-forwarded-for': client } });
  return { status: res.statusCode, ip: res.statusCode === 200 ? res.json<{ ip: string }>().ip : undefined };
}

t.test('behind a trusted proxy each visitor has its own address and budget', async (t) => {
  const { host } = await startGateway(t, kernel, { trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
  t.same(await ping1(host, '127.0.0.1', '203.0.113.1'), { status: 200, ip: '203.0.113.1' });
  t.same(await ping1(host, '10.1.2.3', '203.0.113.2'), { status: 200, ip: '203.0.113.2' }, 'a second visitor');
  t.same((await ping1(host, '127.0.0.1', '203.0.113.1')).status, 429, 'the first visitor used its budget');
  // A chain: the client's own X-Forwarded-For is untrusted past the first untrusted hop.
  t.same(await ping1(host, '127.0.0.1', '198.51.100.7, 10.9.9.9'), { status: 200, ip: '198.51.100.7' });
  t.same(
    await ping1(host, '127.0.0.1', '198.51.100.8, 203.0.113.9'),
    { status: 200, ip: '203.0.113.9' },
    'a forged first entry is not believed',
  );
});

t.test('from anyone else X-Forwarded-For is ignored: a client cannot pick its address', async (t) => {
  const { host } = await startGateway(t, kernel, { trustProxy: ['10.0.0.0/8'] });
  t.same(await ping1(host, '127.0.0.1', '203.0.113.1'), { status: 200, ip: '127.0.0.1' });
  t.same((await ping1(host, '127.0.0.1', '203.0.113.2')).status, 429, 'a new header is not a new budget');
});

t.test('without HOSTPLANE_TRUST_PROXY the socket is the address', async (t) => {
  const { host } = await startGateway(t, kernel);
  t.same(await ping1(host, '127.0.0.1', '203.0.113.1'), { status: 200, ip: '127.0.0.1' });
  t.same((await ping1(host, '127.0.0.1', '203.0.113.2')).status, 429);
});
