/**
 * An isolated plugin offers what an in-process one does: a service other plugins call, an
 * extension point implementation, and calls to the services of plugins it requires. Each call
 * crosses to its process; what it did not declare is refused on the kernel's side.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { coreServices, createExtensionPoint, createServiceRef, definePlugin, Type } from '@hostplane/sdk';
import { startTestHost } from '@hostplane/testing';

const greeterDir = fileURLToPath(new URL('./fixtures/isolated-services/greeter/', import.meta.url)).replace(/\/$/, '');
if (process.getuid?.() !== 0 && process.env.HOSTPLANE_REQUIRE_SYSTEM !== '1') {
  t.skip('isolation runs each plugin as its own system user: needs root');
  process.exit(0);
}

interface Shouter {
  id: string;
  pid: number;
  shout(text: string): Promise<string>;
  refuse(): Promise<never>;
}
interface Greetings {
  greet(name: string): Promise<string>;
  sneak(what: string): Promise<unknown>;
}
const shouter = createExtensionPoint<Shouter>('shouter');
const notesRef = createServiceRef<{ add(text: string): void; list(): string[] }>('board.notes');
const greetingsRef = createServiceRef<Greetings>('greeter.greetings');

const notes: string[] = [];
/** In-process: defines the extension point and a service the isolated plugin calls. */
const board = definePlugin({
  id: 'board',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  deps: { extensions: coreServices.extensions },
  setup(ctx) {
    class Notes {
      add(text: string): void {
        notes.push(text);
      }
      list(): string[] {
        return [...notes];
      }
    }
    ctx.provide(notesRef, () => new Notes());
    ctx.routes((app) => {
      app.get('/shout', { config: { public: true } }, async () => {
        const [impl] = ctx.deps.extensions.list(shouter);
        if (!impl) return { found: false };
        const refused = await impl.refuse().then(
          () => null,
          (err: { code?: string; statusCode?: number }) => ({ code: err.code, statusCode: err.statusCode }),
        );
        return {
          found: true,
          id: impl.id,
          pid: impl.pid,
          shout: await impl.shout('hi'),
          optional: typeof (impl as unknown as Record<string, unknown>).absent,
          refused,
        };
      });
    });
  },
});

/** In-process: requires the isolated plugin and calls its service. */
const reader = definePlugin({
  id: 'reader',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  requires: { greeter: '*' },
  setup(ctx) {
    ctx.provide(createServiceRef<{ read(): string }>('reader.secrets'), () => ({ read: () => 'the secret' }));
    ctx.routes((app) => {
      app.get(
        '/greet',
        { config: { public: true }, schema: { querystring: Type.Object({ what: Type.Optional(Type.String()) }) } },
        async (request) => {
          const greetings = ctx.get(greetingsRef);
          const what = (request.query as { what?: string }).what;
          if (!what) return { text: await greetings.greet('Ada') };
          return greetings.sneak(what).then(
            (got) => ({ leaked: got }),
            (err: { code?: string; message?: string }) => ({ refused: err.code ?? err.message }),
          );
        },
      );
    });
  },
});

t.test('services and extension implementations cross to an isolated plugin’s process', async (t) => {
  const host = await startTestHost({
    plugins: [board, { dir: greeterDir }, reader],
    enable: ['board', 'greeter', 'reader'],
  });
  t.teardown(() => host.close());
  for (const id of ['board', 'greeter', 'reader'])
    t.equal(host.kernel.plugin(id)?.state, 'started', `${id}: ${JSON.stringify(host.kernel.plugin(id)?.error)}`);

  const greeted = (await host.inject({ method: 'GET', url: '/v1/reader/greet' })).json<{ text: string }>();
  const pid = Number(/from (\d+)/.exec(greeted.text)?.[1]);
  t.match(greeted.text, /^Hello, Ada \(from \d+\)$/, 'an in-process plugin called the isolated plugin’s service');
  t.not(pid, process.pid, 'which ran in its own process');
  t.same(notes, ['greeted Ada'], 'and it called back a service of the plugin it requires');

  const shout = (await host.inject({ method: 'GET', url: '/v1/board/shout' })).json<Record<string, unknown>>();
  t.same(
    shout,
    {
      found: true,
      id: 'loud',
      pid,
      shout: 'HI!',
      optional: 'undefined',
      refused: { code: 'GREETER_ERR_TONE', statusCode: 409 },
    },
    'its extension implementation: data copied, methods called there, an absent method absent, errors with their code',
  );

  for (const [what, why] of [
    ['undeclared', 'a service of a plugin it does not require'],
    ['constructor', 'the constructor of a service'],
    ['__defineGetter__', 'what every object has'],
    ['toString', 'what every object has'],
  ] as const) {
    const res = (await host.inject({ method: 'GET', url: `/v1/reader/greet?what=${what}` })).json<Record<string, unknown>>();
    t.ok(res.refused && !('leaked' in res), `${why} is refused (${String(res.refused)})`);
  }
  t.same(notes, ['greeted Ada'], 'nothing else reached the board');
});
