/**
 * Every first-party plugin's settings save from the panel: fields with a default may stay empty,
 * labels and hints come from the schema's `title` and `description`, nested settings and nested
 * secrets round-trip, and a refused value is explained in words beside its field.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { browserSuite } from './support/suite.js';

interface Schema {
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
}

/** Leaves of a config schema by input name (`wordpress.databaseHost`). */
function leaves(schema: Schema, prefix = ''): Array<[string, Schema]> {
  return Object.entries(schema.properties ?? {}).flatMap(([k, s]) =>
    s.properties ? leaves(s, `${prefix}${k}.`) : [[`${prefix}${k}`, s] as [string, Schema]],
  );
}

await browserSuite((suite) => {
  async function storedConfig(id: string): Promise<Record<string, unknown>> {
    const row = await suite
      .host()
      .kernel.knex('hostplane.plugins')
      .where({ id })
      .first<{ config: Record<string, unknown> }>('config');
    return row?.config ?? {};
  }

  async function save(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Save and restart' }).click();
    const toast = page.locator('[data-toast]').last();
    await toast.waitFor();
    return (await toast.textContent()) ?? '';
  }

  t.test('each first-party plugin’s settings save as shown, with titles and hints from the schema', async (tt) => {
    const page = await suite.freshPage(tt);
    const host = suite.host();
    await suite.signIn(page, host.logins.admin);
    const ids = ['auth', 'accounts', 'websites', ...(host.webServerMissing ? [] : ['webserver-nginx'])];
    for (const id of ids) {
      await page.goto(`${host.url}/admin/plugins/${id}`);
      const plugin = (await (await page.request.get(`${host.url}/v1/plugins/${id}`)).json()) as { configSchema: Schema | null };
      if (!plugin.configSchema?.properties) {
        tt.ok(await page.getByText('This plugin has nothing to configure.').isVisible(), `${id}: nothing to configure`);
        continue;
      }
      for (const [name, schema] of leaves(plugin.configSchema)) {
        tt.ok(schema.title, `${id}: ${name} has a title`);
        const input = page.locator(`[name="${name}"]:not([type="hidden"])`);
        const label = await input.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent ?? '');
        tt.match(label, schema.title ?? '', `${id}: ${name} is labelled by its title`);
        if (schema.description) {
          const described = await input.evaluate(
            (el) => `${(el as HTMLInputElement).labels?.[0]?.textContent ?? ''} ${el.getAttribute('aria-describedby') ?? ''}`,
          );
          tt.ok(described.length > 0, `${id}: ${name} has its hint`);
        }
        if (schema.default !== undefined) {
          tt.equal(await input.getAttribute('required'), null, `${id}: ${name} has a default, so it may stay empty`);
        }
      }
      tt.match(await save(page), /Config saved/, `${id}: saves as shown`);
    }
    tt.same(suite.consoleErrors(page), []);
  });

  t.test('an emptied field falls back to its default; nested settings and secrets round-trip', async (tt) => {
    const page = await suite.freshPage(tt);
    const host = suite.host();
    await suite.signIn(page, host.logins.admin);
    await page.goto(`${host.url}/admin/plugins/auth`);
    await page.getByLabel('Name in authenticator apps').fill('');
    tt.match(await save(page), /Config saved/, 'an empty field with a default saves');
    tt.notOk('issuer' in (await storedConfig('auth')), 'left out: the default applies');

    await page.goto(`${host.url}/admin/plugins/websites`);
    await page.getByLabel('Database server').fill('db.internal:3306');
    await page.getByLabel('Database password').fill('s3cret-pass');
    tt.match(await save(page), /Config saved/);
    await page.goto(`${host.url}/admin/plugins/websites`);
    tt.equal(await page.getByLabel('Database server').inputValue(), 'db.internal:3306', 'a nested setting is shown saved');
    tt.equal(await page.getByLabel('Database password').inputValue(), '', 'the secret is never shown');
    tt.notMatch(await page.content(), /s3cret-pass/, 'not even in the page source');
    await page.getByLabel('Last port').fill('29000');
    tt.match(await save(page), /Config saved/, 'saved again with the secret left empty');
    const stored = (await storedConfig('websites')) as {
      wordpress?: { databasePassword?: unknown };
      nodejsPorts?: { to?: number };
    };
    tt.notMatch(JSON.stringify(stored), /s3cret-pass/, 'the secret is stored sealed, never in the clear');
    const revealed = (await suite.host().kernel.getConfig('websites', { revealSecrets: true })) as {
      wordpress?: { databasePassword?: string };
    };
    tt.equal(revealed.wordpress?.databasePassword, 's3cret-pass', 'the stored nested secret is kept');
    tt.equal(stored.nodejsPorts?.to, 29000);

    await page.getByLabel('Database name prefix').fill('Bad Prefix');
    await page.getByRole('button', { name: 'Save and restart' }).click();
    const field = page.locator('[name="wordpress.databasePrefix"][aria-invalid="true"]');
    await field.waitFor();
    const errorId = ((await field.getAttribute('aria-describedby')) ?? '').split(' ')[0];
    const message = (await page.locator(`#${errorId}`).textContent()) ?? '';
    tt.match(message, /^Database name prefix is not in the expected format/, `in words, by its field: “${message}”`);
    tt.same(suite.consoleErrors(page), []);
  });
});
