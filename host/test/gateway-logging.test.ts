import { createLogger } from '@hostplane/core';
import { definePlugin, Type, type Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import t from 'tap';
import { createHost } from '../src/server/index.js';
import { captureLines, startGateway } from './helpers/host.js';
import { bootKernel } from './helpers/kernel.js';
import { tokenAuthPlugin, USER } from './helpers/plugins.js';

const SECRETS = [
  'hunter2-password',
  'tok-123456',
  'sekrit-value',
  'refresh-abc',
  'access-xyz',
  'Bearer very-secret-bearer',
  'sid=cookie-secret',
];

// A careless plugin that logs what it was sent, through the request's logger (the host's) and
// its own (the kernel's): neither may let a secret through.
let pluginLogger!: Logger;
const careless = definePlugin({
  id: 'careless',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  setup(ctx) {
    pluginLogger = ctx.logger;
    ctx.routes((app) => {
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
    });
  },
});

// The kernel logs as `hostplane start` sets it up (core's createLogger), into `kernelLines`.
const kernelLog = captureLines();
const { kernel } = await bootKernel(t, {
  plugins: [careless, tokenAuthPlugin({ 'very-secret-bearer': { userId: USER.reader, role: 'customer' } })],
  logger: createLogger({ level: 'info', destination: kernelLog.stream }),
});

function parsed(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

t.test('no password, token or secret reaches any log line', async (t) => {
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
  t.equal(done?.userId, USER.reader, 'who called is logged, by id');
});

t.test('given a pino logger, the host logs through a child of it, still redacting', async (t) => {
  const { stream, lines } = captureLines();
  const host = await createHost({ kernel, logger: pino(stream) });
  t.teardown(() => host.close());
  await host.inject({ method: 'POST', url: '/v1/careless/login?token=tok-123456', payload: { password: 'hunter2-password' } });
  const done = parsed(lines).find((l) => l.msg === 'request completed');
  t.match(done, { component: 'http', statusCode: 200 });
  t.notOk(lines.some((l) => l.includes('hunter2') || l.includes('tok-123456')));
});

t.test('on the kernel’s logger, as `hostplane start` runs it, host and plugin lines are censored', async (t) => {
  const host = await createHost({ kernel, logger: kernel.logger });
  t.teardown(() => host.close());
  const login = await host.inject({
    method: 'POST',
    url: '/v1/careless/login?apiKey=tok-123456',
    headers: { authorization: 'Bearer very-secret-bearer' },
    payload: { password: 'hunter2-password', profile: { secret: 'sekrit-value' } },
  });
  t.equal(login.statusCode, 200);
  pluginLogger.info(
    {
      attempt: { user: 'ada', credentials: [{ refresh_token: 'refresh-abc', 'X-Api-Key': 'access-xyz' }] },
      config: { smtpHost: 'smtp.example.com', smtpLogin: 'sekrit-value' },
    },
    'plugin saw a login',
  );
  pluginLogger.error({ err: Object.assign(new Error('refused'), { secret: 'sekrit-value' }) }, 'plugin failed');

  const lines = kernelLog.lines;
  for (const secret of SECRETS) {
    t.notOk(
      lines.some((line) => line.includes(secret.replace(/^Bearer |^sid=/, ''))),
      `"${secret}" appears in no line`,
    );
  }
  const logs = parsed(lines);
  t.match(
    logs.find((l) => l.msg === 'request completed'),
    { component: 'http', url: '/v1/careless/login?apiKey=[redacted]', userId: USER.reader },
  );
  t.match(
    logs.find((l) => l.msg === 'login attempt'),
    { component: 'http', body: { password: '[redacted]' } },
  );
  t.match(
    logs.find((l) => l.msg === 'plugin saw a login'),
    {
      plugin: 'careless',
      attempt: { user: 'ada', credentials: [{ refresh_token: '[redacted]', 'X-Api-Key': '[redacted]' }] },
      config: { smtpHost: '[redacted]', smtpLogin: '[redacted]' },
    },
    'secrets are censored at any depth, and a logged config entirely',
  );
  t.match(
    logs.find((l) => l.msg === 'plugin failed'),
    { err: { message: 'refused', secret: '[redacted]' } },
  );
});
