/**
 * The built SDK loads TypeBox as one bundled module (scripts/bundle-typebox.mjs, `#typebox` in
 * package.json). What it exports must be TypeBox's index, and what it builds must be schemas the
 * kernel's own TypeBox recognises and validates (TypeBox marks them with `Symbol.for` keys).
 * Run after `npm run build`: the bundle is a build output.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import * as TypeBox from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const bundle = fileURLToPath(new URL('../dist/vendor/typebox.js', import.meta.url));

if (!existsSync(bundle)) {
  t.plan(0, 'sdk/dist/vendor/typebox.js is missing: run `npm run build` first');
} else {
  const Bundled = (await import(bundle)) as typeof TypeBox;

  t.test('the bundle exports what TypeBox exports', async (t) => {
    t.same(Object.keys(Bundled).sort(), Object.keys(TypeBox).sort());
    t.equal(Bundled.Kind, TypeBox.Kind, 'the same Symbol.for keys');
  });

  t.test("a schema the bundle builds is one the kernel's TypeBox validates", async (t) => {
    const schema = Bundled.Type.Object({
      name: Bundled.Type.String({ minLength: 1 }),
      port: Bundled.Type.Optional(Bundled.Type.Integer({ minimum: 1, maximum: 65535, default: 80 })),
      tags: Bundled.Type.Array(Bundled.Type.Union([Bundled.Type.Literal('a'), Bundled.Type.Literal('b')])),
    });
    t.ok(TypeBox.TypeGuard.IsSchema(schema));
    t.ok(TypeBox.KindGuard.IsObject(schema));
    t.ok(Value.Check(schema, { name: 'a', tags: ['a'] }));
    t.notOk(Value.Check(schema, { name: '', tags: [] }));
    t.notOk(Value.Check(schema, { name: 'a', tags: ['c'] }));
    t.same(Value.Default(schema, { name: 'a', tags: [] }), { name: 'a', port: 80, tags: [] });
  });

  t.test('the SDK loads the bundle, not the package, at run time', async (t) => {
    const sdkJson = (await import('../package.json', { with: { type: 'json' } })).default as {
      imports: Record<string, Record<string, string>>;
    };
    t.equal(sdkJson.imports['#typebox']?.default, './dist/vendor/typebox.js');
    t.equal(sdkJson.imports['#typebox']?.types, '@sinclair/typebox');
  });
}
