import { Writable } from 'node:stream';
import { Type, type RouteRegistrar } from '@hostplane/sdk';
import { pino } from 'pino';
import t from 'tap';
import { createHost } from '../src/server/index.js';
import { FakeKernel, TokenAuthenticator } from './helpers/fake-kernel.js';
import { startGateway } from './helpers/host.js';

const SECRETS = [
  'hunter2-password',
  'tok-123456',
  'sekrit-value',
  'refresh-abc',
  'access-xyz',
  'Bearer very-secret-bearer',
  'sid=cookie-secret',
];

// A careless plugin that logs what it was sent: the host must still keep secrets out of the log.
const careless: RouteRegistrar = (app) => {
  app.post(
    '/login',
    { config: { public: true }, schema: { body: Type.Object({}, { additionalProperties: true }) } },
    async (request) => {
      request.log.info({ body: request.body, headers: request.headers }, 'login attempt');
      request.log.info({ nested: { deeper: { list: [{ accessToken: 'access-xyz' }] } } }, 'deep');
      return { ok: true };
    },
  );
  app.get('/fail', { config: { public: true } }, async () => {
    const err = new Error('upstream refused') as Error & { password?: string };
    err.password = 'hunter2-password';
    throw err;
  });
};

t.test('no password, token or secret reaches any log line', async (t) => {
  const kernel = new FakeKernel([{ id: 'careless', routes: careless }]).addAuthenticator(new TokenAuthenticator());
  const gateway = await startGateway(t, kernel);
  const login = await gateway.host.inject({
    method: 'POST',
    url: '/v1/careless/login?token=tok-123456&page=2',
    headers: { authorization: 'Bearer very-secret-bearer', cookie: 'sid=cookie-secret' },
    payload: {
      email: 'ada@example.com',
      password: 'hunter2-password',
      profile: { secret: 'sekrit-value', refresh_token: 'refresh-abc' },
    },
  });
  t.equal(login.statusCode, 200);
  const fail = await gateway.host.inject({ method: 'GET', url: '/v1/careless/fail' });
  t.equal(fail.statusCode, 500);

  const lines = gateway.lines();
  t.ok(lines.length >= 4, 'the requests were logged');
  for (const secret of SECRETS) {
    t.notOk(
      lines.some((line) => line.includes(secret.replace(/^Bearer |^sid=/, ''))),
      `"${secret}" appears in no line`,
    );
  }
  const attempt = gateway.logs().find((l) => l.msg === 'login attempt') as
    { body: Record<string, unknown>; headers: Record<string, unknown> } | undefined;
  t.equal(attempt?.body.email, 'ada@example.com', 'other fields are kept');
  t.equal(attempt?.body.password, '[redacted]');
  t.equal(attempt?.headers.authorization, '[redacted]');
  t.equal(attempt?.headers.cookie, '[redacted]');
  const done = gateway.logs().find((l) => l.msg === 'request completed' && String(l.url).includes('login'));
  t.equal(done?.url, '/v1/careless/login?token=[redacted]&page=2', 'query secrets are censored in the URL');
});

t.test('given a pino logger (the kernel’s), the host logs through a child of it, still redacting', async (t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const host = await createHost({ kernel: new FakeKernel([{ id: 'careless', routes: careless }]), logger: pino(destination) });
  t.teardown(() => host.close());
  await host.inject({ method: 'POST', url: '/v1/careless/login?token=tok-123456', payload: { password: 'hunter2-password' } });
  const done = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request completed');
  t.match(done, { component: 'http', statusCode: 200 });
  t.notOk(lines.some((l) => l.includes('hunter2') || l.includes('tok-123456')));
});
