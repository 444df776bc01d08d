/**
 * The frame of a browser test file: skip (or fail under HOSTPLANE_REQUIRE_SYSTEM=1) without
 * Chromium or a panel build; one real host and one browser per file, both closed at the end.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, browserTestsCanRun, type Browser } from './browser.js';
import { startPanelHost, type PanelHost, type PanelHostOptions } from './panel-host.js';

export interface Suite {
  host(): PanelHost;
  /** A signed-out page, closed when `tt` ends. */
  freshPage(tt: Test): Promise<Page>;
  /** Sign in (whoever was signed in before) and wait for the dashboard. */
  signIn(page: Page, who: { email: string; password: string }): Promise<void>;
  /** Console errors (CSP refusals, hydration mismatches, failed loads) a fresh page logged. */
  consoleErrors(page: Page): string[];
}

/** Run `body` with a host (started with `hostOptions`) and a browser, or skip the file with the reason. */
export async function browserSuite(
  body: (suite: Suite) => void | Promise<void>,
  hostOptions: PanelHostOptions = {},
): Promise<void> {
  if (!browserTestsCanRun()) return;
  let host: PanelHost | undefined;
  let browser: Browser | undefined;
  const errors = new WeakMap<Page, string[]>();
  t.before(async () => {
    [host, browser] = await Promise.all([startPanelHost(hostOptions), launchBrowser()]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });
  const suite: Suite = {
    host: () => {
      if (!host) throw new Error('the host is not started yet');
      return host;
    },
    async freshPage(tt) {
      if (!browser) throw new Error('the browser is not started yet');
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      const logged: string[] = [];
      errors.set(page, logged);
      page.on('console', (m) => {
        if (m.type() === 'error') logged.push(m.text());
      });
      page.on('pageerror', (e) => logged.push(e.message));
      tt.teardown(() => page.close());
      return page;
    },
    async signIn(page, who) {
      await page.context().clearCookies();
      await page.goto(`${suite.host().url}/login`);
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    },
    consoleErrors: (page) => errors.get(page) ?? [],
  };
  await body(suite);
}
