/**
 * One browser test file's frame: skip (or fail under HOSTPLANE_REQUIRE_SYSTEM=1) without Chromium
 * or a panel build, one real host and one browser for the file, and pages that record console
 * errors.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, missingPrerequisite, type Browser } from './browser.js';
import { startPanelHost, type PanelHost } from './panel-host.js';

export interface Suite {
  /** The host (read it inside tests: it starts in `t.before`). */
  readonly host: PanelHost;
  /** A page in a signed-out browser; closed when `tt` ends. */
  freshPage(tt: Test): Promise<Page>;
  /** Sign in on the login page and wait for the dashboard. */
  signIn(page: Page, who: { email: string; password: string }): Promise<void>;
  /** Console errors (CSP refusals, hydration mismatches, failed loads) the page logged. */
  consoleErrors(page: Page): string[];
}

/** Run `body` with a suite, or skip the file with the reason the browser tests cannot run. */
export async function browserSuite(body: (suite: Suite) => void): Promise<void> {
  const missing = missingPrerequisite();
  if (missing && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') {
    t.fail(`browser tests cannot run: ${missing}`);
    t.end();
    return;
  }
  if (missing) {
    t.plan(0, `skipped: ${missing}`);
    return;
  }
  let host: PanelHost | undefined;
  let browser: Browser | undefined;
  t.before(async () => {
    [host, browser] = await Promise.all([startPanelHost(), launchBrowser()]);
  });
  t.teardown(async () => {
    await browser?.close();
    await host?.close();
  });
  const errors = new WeakMap<Page, string[]>();
  body({
    get host() {
      if (!host) throw new Error('the host is not started yet');
      return host;
    },
    async freshPage(tt) {
      const context = browser!.context;
      await context.clearCookies();
      const page = await context.newPage();
      const list: string[] = [];
      errors.set(page, list);
      page.on('console', (m) => {
        if (m.type() === 'error') list.push(m.text());
      });
      page.on('pageerror', (e) => list.push(e.message));
      tt.teardown(() => page.close());
      return page;
    },
    async signIn(page, who) {
      await page.goto(`${host!.url}/login`);
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    },
    consoleErrors: (page) => errors.get(page) ?? [],
  });
}
