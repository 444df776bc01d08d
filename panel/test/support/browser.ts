/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), with the flags the
 * closed network of CI needs, a fresh profile, and axe-core for accessibility reports.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const here = path.dirname(fileURLToPath(import.meta.url));
export const PANEL_DIR = path.resolve(here, '../..');
export const SCREENSHOTS = path.join(PANEL_DIR, 'test-output', 'screenshots');

/** Why the browser tests cannot run here, or null. */
export function missingPrerequisite(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is absent (apt-get install chromium)`;
  if (!existsSync(path.join(PANEL_DIR, 'build', 'server', 'index.js')))
    return 'the panel is not built (npm run build -w @hostplane/panel)';
  return null;
}

/**
 * Whether this test file can run its browser tests. When it cannot, the file is ended here: a
 * failure under HOSTPLANE_REQUIRE_SYSTEM=1 (CI), else a skip that names what is missing.
 */
export function browserTestsCanRun(): boolean {
  const missing = missingPrerequisite();
  if (!missing) return true;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') {
    t.fail(`browser tests cannot run: ${missing}`);
    t.end();
  } else {
    t.plan(0, `skipped: ${missing}`);
  }
  return false;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** false: a browser with JavaScript off, as some people run it (default true). */
  javaScriptEnabled?: boolean;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'hostplane-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1280, height: 860 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** Serious and critical violations axe-core finds on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
