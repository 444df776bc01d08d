/**
 * Certificate issuance benchmark: with automatic HTTPS on (tls-acme's `autoIssue`, decision
 * 0084), 50 new websites each get a certificate from Debian's pebble (HTTP-01 answered by real
 * NGINX, names resolved by a managed pdns_server) through the plugin's durable jobs, until NGINX
 * serves every one. The baseline, in the same run and on the same host: 50 websites provisioned
 * with `autoIssue` off (served over HTTP and answering in DNS). Printed: both times, their ratio,
 * and the NGINX reloads the certificates added over the baseline's (coalesced: target ≤ 5).
 *
 * Orders go through automatic HTTPS rather than 50 `POST …/certificate`: that route allows a
 * user 10 orders a minute, so the API path would measure the rate limit, not the issuance.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/tls-issue.ts
 * Env: BENCH_SITES (default 50; the stack's package allows 100 websites, two rounds of 50).
 */
import { caller } from '../plugins/accounts/test/helpers.js';
import { eventually, fetchTls, stackMissing, startStack } from '../plugins/tls-acme/test/stack.js';

const SITES = Number(process.env.BENCH_SITES ?? 50);
const TARGET_RELOADS = 5;

const missing = stackMissing();
if (missing) {
  process.stdout.write(`tls-issue: skipped, ${missing}\n`);
  process.exit(0);
}

const stack = await startStack();
try {
  const { host, alice, httpsPort } = stack;
  const asAlice = caller(host, alice);
  const reloads = async (): Promise<number> => (await asAlice.get('/v1/websites/server')).body.reloads as number;
  const timeoutMs = 900_000;

  /** `SITES` new websites at once, each served and answering in DNS: the ms it took and the reloads. */
  async function round(prefix: string): Promise<{ ms: number; reloads: number; sites: Array<{ id: string; domain: string }> }> {
    const before = await reloads();
    const start = performance.now();
    const sites = await Promise.all(Array.from({ length: SITES }, (_, i) => stack.website(`${prefix}${i}`, alice, timeoutMs)));
    return { ms: performance.now() - start, reloads: (await reloads()) - before, sites };
  }

  const baseline = await round('plain');

  await host.kernel.setConfig('tls-acme', {
    ...(await host.kernel.getConfig('tls-acme', { revealSecrets: true })),
    autoIssue: true,
  });
  const before = await reloads();
  const start = performance.now();
  const secured = await round('tls');
  const ids = new Set(secured.sites.map((s) => s.id));
  await eventually(
    async () => {
      const list = (await asAlice.get('/v1/tls-acme/certificates?limit=100')).body.items as Array<{
        websiteId: string;
        state: string;
        served: boolean;
        lastError: string | null;
      }>;
      const mine = list.filter((c) => ids.has(c.websiteId));
      const failed = mine.filter((c) => c.state === 'failed');
      if (failed.length > 0) throw new Error(`orders failed: ${failed[0]?.lastError}`);
      return mine.filter((c) => c.state === 'issued' && c.served).length >= SITES ? true : undefined;
    },
    timeoutMs,
    500,
  );
  const issueMs = performance.now() - start;
  const certificateReloads = (await reloads()) - before - baseline.reloads;

  const root = await stack.pebble.root();
  const check = await fetchTls(httpsPort, secured.sites[SITES - 1]!.domain, root);
  if (!check.authorized) throw new Error(`the last site's certificate does not verify: ${check.authorizationError}`);

  process.stdout.write(
    [
      `tls-issue: ${SITES} sites`,
      `  provisioned over HTTP (baseline): ${(baseline.ms / 1000).toFixed(2)} s, ${baseline.reloads} NGINX reloads`,
      `  provisioned and served over HTTPS: ${(issueMs / 1000).toFixed(2)} s (${(issueMs / baseline.ms).toFixed(2)}× the baseline)`,
      `  NGINX reloads the certificates added: ${certificateReloads} (target ≤ ${TARGET_RELOADS}: ${certificateReloads <= TARGET_RELOADS ? 'met' : 'MISSED'})`,
      '',
    ].join('\n'),
  );
} finally {
  await stack.close();
}
