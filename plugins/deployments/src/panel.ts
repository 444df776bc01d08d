/**
 * Panel pages (data): the caller's websites with links to each one's deploys; a site's
 * deployments (deploy now, roll back) and its repository form; one deployment with its build
 * log, followed live while it runs (the log route's server-sent events); the connection (deploy
 * key, webhook address, a new webhook secret, disconnect). Every button maps to a route and
 * shows only where that route would accept it. Disconnect goes on to the site's page: the
 * connection page has nothing left to show after it.
 */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';

const READ = 'deployments.deployment.read';
const WRITE = 'deployments.deployment.write';

const rollback = (route: string) => ({
  label: 'Roll back to this',
  method: 'POST' as const,
  route,
  permission: WRITE,
  when: [
    { field: 'releaseKept', in: [true] },
    { field: 'live', in: [false] },
  ],
  confirm: 'Serve the release of this deployment ({commitSha}) again? The site switches as soon as it is done.',
});

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'sites',
    title: 'Git deploys',
    nav: { label: 'Git deploys', section: 'main', order: 24 },
    permission: READ,
    sections: [
      {
        kind: 'text',
        text: 'Connect a website to a Git repository: each deploy clones the branch, runs the build as the site’s user and switches the site to the new release at once. The last releases are kept for rollback.',
      },
      {
        kind: 'table',
        source: '/websites',
        columns: [
          { field: 'domainDisplay', label: 'Website', link: '/p/deployments/site?website={id}' },
          { field: 'name', label: 'Repository and deploy key', link: '/p/deployments/connection?website={id}' },
          { field: 'status', label: 'Status', format: 'status' },
        ],
        empty: 'No websites yet: create one first.',
      },
    ],
  },
  {
    id: 'site',
    title: 'Deployments',
    titleFrom: { source: '/websites/{website}', field: 'domainDisplay' },
    params: ['website'],
    permission: READ,
    sections: [
      {
        kind: 'form',
        title: 'Deploy now',
        schema: Type.Object({}, { additionalProperties: false }),
        submit: { method: 'POST', route: '/websites/{website}/deployments', label: 'Deploy the branch now' },
        permission: WRITE,
        about: '/websites/{website}/deployments/connection',
        when: [{ field: 'connected', in: [true] }],
        result: { title: 'Deployment queued', fields: [{ field: 'status', label: 'Status' }] },
      },
      {
        kind: 'table',
        title: 'Deployments',
        source: '/websites/{website}/deployments',
        columns: [
          {
            field: 'queuedAt',
            label: 'Asked',
            format: 'date',
            link: '/p/deployments/deployment?website={websiteId}&deployment={id}',
          },
          { field: 'trigger', label: 'By' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'live', label: 'Live' },
          { field: 'commitSha', label: 'Commit' },
          { field: 'phase', label: 'Step' },
          { field: 'error', label: 'Error' },
        ],
        actions: [rollback('/websites/{websiteId}/deployments/{id}/rollback')],
        empty: 'No deployments yet: connect a repository below, then deploy.',
      },
      {
        kind: 'form',
        title: 'Repository',
        schema: Type.Object(
          {
            repositoryUrl: Type.String({
              title: 'Repository URL',
              minLength: 1,
              maxLength: 1024,
              description: 'https://git.example.com/owner/repo.git, or git@git.example.com:owner/repo.git with the deploy key',
            }),
            branch: Type.String({ title: 'Branch', minLength: 1, maxLength: 255, default: 'main' }),
            buildCommand: Type.Optional(
              Type.String({
                title: 'Build command',
                maxLength: 4096,
                description: 'Run in the new release as the site’s user, e.g. npm ci && npm run build. Empty: no build',
              }),
            ),
            webRoot: Type.Optional(
              Type.String({
                title: 'Folder to serve',
                maxLength: 255,
                description: 'e.g. dist or public. Empty: the repository’s top folder',
              }),
            ),
            keepReleases: Type.Optional(Type.Integer({ title: 'Releases kept', minimum: 1, maximum: 100, default: 5 })),
          },
          { additionalProperties: false },
        ),
        submit: { method: 'PUT', route: '/websites/{website}/deployments/connection', label: 'Save repository' },
        values: '/websites/{website}/deployments/connection',
        permission: WRITE,
        result: {
          title: 'Repository saved',
          fields: [
            { field: 'webhookSecret', label: 'Webhook secret (first connection only: copy it now)' },
            { field: 'webhookPath', label: 'Webhook address (after the panel’s address)' },
            { field: 'deployKey', label: 'Deploy key (add it to the repository, read-only)' },
          ],
          once: true,
        },
      },
    ],
  },
  {
    id: 'deployment',
    title: 'Deployment',
    params: ['website', 'deployment'],
    permission: READ,
    sections: [
      {
        kind: 'detail',
        source: '/websites/{website}/deployments/{deployment}',
        fields: [
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'trigger', label: 'By' },
          { field: 'live', label: 'Live' },
          { field: 'branch', label: 'Branch' },
          { field: 'commitSha', label: 'Commit' },
          { field: 'release', label: 'Release folder' },
          { field: 'phase', label: 'Step' },
          { field: 'queuedAt', label: 'Asked', format: 'date' },
          { field: 'startedAt', label: 'Started', format: 'date' },
          { field: 'finishedAt', label: 'Finished', format: 'date' },
          { field: 'error', label: 'Error' },
        ],
        actions: [rollback('/websites/{websiteId}/deployments/{id}/rollback')],
      },
      {
        kind: 'log',
        title: 'Build log',
        source: '/websites/{website}/deployments/{deployment}',
        field: 'log',
        stream: '/websites/{websiteId}/deployments/{id}/log',
        while: [{ field: 'status', in: ['queued', 'running'] }],
      },
    ],
  },
  {
    id: 'connection',
    title: 'Repository connection',
    params: ['website'],
    permission: READ,
    sections: [
      {
        kind: 'detail',
        source: '/websites/{website}/deployments/connection',
        fields: [
          { field: 'repositoryUrl', label: 'Repository' },
          { field: 'branch', label: 'Branch' },
          { field: 'buildCommand', label: 'Build command' },
          { field: 'webRoot', label: 'Folder served' },
          { field: 'keepReleases', label: 'Releases kept' },
          { field: 'deployKey', label: 'Deploy key (public half: add it to the repository as a read-only key)' },
          { field: 'webhookPath', label: 'Webhook address (after the panel’s address; content type JSON, push events)' },
        ],
        actions: [
          {
            label: 'New webhook secret',
            method: 'POST',
            route: '/websites/{websiteId}/deployments/connection/webhook-secret',
            permission: WRITE,
            confirm: 'Make a new webhook secret? The old one stops working at once: paste the new one into the Git host.',
            result: { title: 'New webhook secret', fields: [{ field: 'webhookSecret', label: 'Webhook secret' }], once: true },
          },
          {
            label: 'Disconnect',
            method: 'DELETE',
            route: '/websites/{websiteId}/deployments/connection',
            permission: WRITE,
            confirm:
              'Disconnect {repositoryUrl}? Its deploy key and webhook secret are deleted (pushes no longer deploy). The site keeps serving its live release, and its releases stay for rollback.',
            danger: true,
            next: '/p/deployments/site?website={websiteId}',
          },
        ],
      },
    ],
  },
];
