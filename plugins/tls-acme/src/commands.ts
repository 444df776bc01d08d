/**
 * `hostplane tls-acme …`: list certificates, queue an order for a site, run the renewal sweep.
 * The CLI runs with the plugin set up, not started: a running host's workers run the orders.
 */
import { CommonErrors, type CommandDefinition } from '@hostplane/sdk';
import type { CertificatesService } from './services/certificates-service.js';
import type { Renewal } from './services/renewal.js';
import type { CertificateRow, CertificateStore, SiteRow } from './store.js';

export function tlsCommands<C, D>(
  store: CertificateStore,
  service: CertificatesService,
  renewal: Renewal,
): CommandDefinition<C, D>[] {
  const siteOf = async (arg: string | undefined): Promise<SiteRow> => {
    if (!arg) throw CommonErrors.badRequest('name a website by one of its domains', undefined);
    const site = await store.siteByDomain(arg.toLowerCase());
    if (!site || site.desired === 'deleted') throw CommonErrors.notFound(`website ${arg}`);
    return site;
  };
  return [
    {
      name: 'list',
      description: 'Every certificate: site, state, issuer, expiry',
      async run(_args, io) {
        const rows = (await store.certificates().orderBy('not_after')) as CertificateRow[];
        for (const r of rows) {
          const expires = r.not_after ? r.not_after.toISOString() : '-';
          io.out(
            `${r.domains[0] ?? r.website_id}\t${r.state}\t${r.issuer ?? '-'}\t${expires}${r.last_error ? `\t${r.last_error}` : ''}\n`,
          );
        }
        if (rows.length === 0) io.out('no certificates\n');
      },
    },
    {
      name: 'renew',
      usage: '<domain>',
      description: "Queue an ACME order for the website answering to <domain> (a running host's workers run it)",
      async run(args, io) {
        const site = await siteOf(args[0]);
        const view = await service.request(site, { actorId: null });
        io.out(`${site.domains[0]}: ${view.state}\n`);
      },
    },
    {
      name: 'sweep',
      description: 'Queue due renewals and retries now, warn about expiring certificates',
      async run(_args, io) {
        const { queued, warned } = await renewal.sweep();
        io.out(`${queued} orders queued, ${warned} expiry warnings\n`);
      },
    },
  ];
}
