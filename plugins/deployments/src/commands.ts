/** Operator commands (`hostplane deployments …`): list deployments, queue one (a running host runs it). */
import type { CommandDefinition, JobsService } from '@hostplane/sdk';
import { DEPLOY_JOB } from './services/deploy-service.js';
import type { ConnectionRow, DeploymentRow, DeployStore } from './store.js';

export interface CommandDeps {
  store: DeployStore;
  jobs: JobsService;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function listCommand<C, D>({ store }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'list',
    description: 'List deployments, newest first (--website <id> for one site)',
    usage: '[--website <id>] [--json]',
    async run(args, io) {
      const at = args.indexOf('--website');
      const website = at >= 0 ? args[at + 1] : undefined;
      if (at >= 0 && (!website || !UUID.test(website))) {
        io.err('usage: hostplane deployments list [--website <id>] [--json]\n');
        return 2;
      }
      const q = store.deployments().orderBy('queued_at', 'desc').limit(200);
      if (website) q.where({ website_id: website });
      const rows = (await q) as DeploymentRow[];
      const shown = rows.map((r) => ({
        id: r.id,
        websiteId: r.website_id,
        trigger: r.trigger,
        status: r.status,
        release: r.release,
        commitSha: r.commit_sha,
        queuedAt: r.queued_at,
        finishedAt: r.finished_at,
        error: r.error,
      }));
      if (args.includes('--json')) {
        io.out(`${JSON.stringify(shown)}\n`);
        return 0;
      }
      for (const r of shown)
        io.out(`${r.id}\t${r.websiteId}\t${r.trigger}\t${r.status}\t${r.commitSha?.slice(0, 12) ?? '-'}\t${r.error ?? ''}\n`);
      return 0;
    },
  };
}

export function deployCommand<C, D>({ store, jobs }: CommandDeps): CommandDefinition<C, D> {
  return {
    name: 'deploy',
    description: 'Queue a deployment of a connected website now (a running host runs it)',
    usage: '<website id>',
    async run(args, io) {
      const [website] = args;
      if (args.length !== 1 || !website || !UUID.test(website)) {
        io.err('usage: hostplane deployments deploy <website id>\n');
        return 2;
      }
      const id = await store.db.transaction(async (trx) => {
        const conn = (await store.connections(trx).where({ website_id: website }).first()) as ConnectionRow | undefined;
        if (!conn) return null;
        const [row] = (await store
          .deployments(trx)
          .insert({
            website_id: conn.website_id,
            owner_id: conn.owner_id,
            trigger: 'manual',
            status: 'queued',
            repository_url: conn.repository_url,
            branch: conn.branch,
            build_command: conn.build_command,
            web_root: conn.web_root,
          } as never)
          .returning('id')) as Array<{ id: string }>;
        await jobs.enqueue(DEPLOY_JOB, { deploymentId: row!.id }, { trx, jobKey: `deploy:${row!.id}`, maxAttempts: 10 });
        return row!.id;
      });
      if (!id) {
        io.err(`website ${website} is not connected to a repository\n`);
        return 1;
      }
      io.out(`deployment ${id} queued\n`);
      return 0;
    },
  };
}
