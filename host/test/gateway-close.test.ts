import { request } from 'node:http';
import t from 'tap';
import { startGateway } from './helpers/host.js';
import { bootKernel, watchSubscriptions } from './helpers/kernel.js';
import { routesPlugin } from './helpers/plugins.js';

function get(url: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

let started!: () => void;
const inHandler = new Promise<void>((resolve) => (started = resolve));
const { kernel } = await bootKernel(t, {
  plugins: [
    routesPlugin('slow', (app) => {
      app.get('/', { config: { public: true } }, async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { finished: true };
      });
    }),
  ],
});
const subscriptions = watchSubscriptions(kernel);

t.test('close() lets a request in flight finish with 200, then stops listening', async (t) => {
  const { host } = await startGateway(t, kernel);
  t.equal(subscriptions.active(), 1, 'the host follows kernel changes');
  const base = await host.listen({ host: '127.0.0.1', port: 0 });

  const slow = get(`${base}/v1/slow`);
  await inHandler;
  const closing = host.close();
  const res = await slow;
  t.equal(res.status, 200);
  t.same(JSON.parse(res.body), { finished: true });
  await closing;
  t.notOk(host.server.listening, 'no longer listening');
  await t.rejects(get(`${base}/health`), 'new connections are refused');
  t.equal(subscriptions.active(), 0, 'unsubscribed from kernel changes');
  // Kernel changes after close leave the closed host alone.
  await kernel.disable('slow');
  await kernel.enable('slow');
});

t.test('close() is idempotent and works without listen()', async (t) => {
  const { host } = await startGateway(t, kernel);
  await Promise.all([host.close(), host.close()]);
  await host.close();
  t.equal(subscriptions.active(), 0);
});

t.test('a kept-alive connection is let go once its request is done', async (t) => {
  const { host } = await startGateway(t, kernel);
  const base = await host.listen({ host: '127.0.0.1', port: 0 });
  // fetch keeps connections alive by default; close() must not wait for the idle timeout.
  const res = await fetch(`${base}/health`);
  t.equal(res.status, 200);
  await res.text();
  const began = Date.now();
  await host.close();
  t.ok(Date.now() - began < 2000, 'closed promptly');
});
