import t from 'tap';
import { startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const { kernel } = await bootKernel(t);
const gateway = await startGateway(t, kernel);
const { host } = gateway;

t.test('an acceptable x-request-id is kept and echoed', async (t) => {
  const res = await host.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'lb-1:abc.DEF_9-z' } });
  t.equal(res.headers['x-request-id'], 'lb-1:abc.DEF_9-z');
});

t.test('without one, a new UUID is made and echoed', async (t) => {
  const first = await host.inject({ method: 'GET', url: '/health' });
  const second = await host.inject({ method: 'GET', url: '/health' });
  t.match(first.headers['x-request-id'], UUID);
  t.not(first.headers['x-request-id'], second.headers['x-request-id']);
});

t.test('an id that does not look like one is replaced', async (t) => {
  for (const bad of ['has space', 'x'.repeat(129), 'inject"quote', '<script>', '']) {
    const res = await host.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': bad } });
    t.match(res.headers['x-request-id'], UUID, `"${bad.slice(0, 20)}" replaced`);
  }
});

t.test('the id is on 404s and in the log line of the request', async (t) => {
  const res = await host.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'find-me' } });
  t.equal(res.statusCode, 404);
  t.equal(res.headers['x-request-id'], 'find-me');
  t.equal(res.json().error.requestId, 'find-me');
  const line = gateway.logs().find((l) => l.requestId === 'find-me' && l.msg === 'request completed');
  t.match(line, { statusCode: 404, method: 'GET', url: '/nope' });
});
