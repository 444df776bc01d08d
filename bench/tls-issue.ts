/**
 * Certificate issuance benchmark: 50 websites order certificates at once from Debian's pebble
 * (HTTP-01 answered by real NGINX, names resolved by a managed pdns_server), through the
 * tls-acme plugin's durable jobs, until NGINX serves every one. Printed: the time, the ratio to
 * provisioning the same 50 sites in the same run (the baseline: the same host, NGINX and DNS),
 * and how many NGINX reloads carried the 50 certificates (coalesced: target ≤ 5).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/tls-issue.ts
 * Env: BENCH_SITES (default 50).
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

  const provisionStart = performance.now();
  const sites = await Promise.all(Array.from({ length: SITES }, (_, i) => stack.website(`bench${i}`, alice, 600_000)));
  const provisionMs = performance.now() - provisionStart;

  const before = await reloads();
  const issueStart = performance.now();
  await Promise.all(sites.map((s) => asAlice.post(`/v1/websites/${s.id}/certificate`)));
  await eventually(
    async () => {
      const list = (await asAlice.get('/v1/tls-acme/certificates?limit=100')).body.items as Array<{
        state: string;
        served: boolean;
        lastError: string | null;
      }>;
      const failed = list.filter((c) => c.state === 'failed');
      if (failed.length > 0) throw new Error(`orders failed: ${failed[0]?.lastError}`);
      return list.filter((c) => c.state === 'issued' && c.served).length >= SITES ? true : undefined;
    },
    // Generous: under a loaded machine 50 orders took over 5 minutes here.
    900_000,
    500,
  );
  const issueMs = performance.now() - issueStart;
  const used = (await reloads()) - before;

  const root = await stack.pebble.root();
  const check = await fetchTls(httpsPort, sites[SITES - 1]!.domain, root);
  if (!check.authorized) throw new Error(`the last site's certificate does not verify: ${check.authorizationError}`);

  process.stdout.write(
    [
      `tls-issue: ${SITES} sites`,
      `  provisioning (baseline): ${(provisionMs / 1000).toFixed(2)} s`,
      `  certificates issued and served: ${(issueMs / 1000).toFixed(2)} s (${(issueMs / provisionMs).toFixed(2)}× provisioning)`,
      `  NGINX reloads for the certificates: ${used} (target ≤ ${TARGET_RELOADS}: ${used <= TARGET_RELOADS ? 'met' : 'MISSED'})`,
      '',
    ].join('\n'),
  );
} finally {
  await stack.close();
}
