/**
 * `/v1/websites/:id/php-settings`: a PHP site's memory_limit, upload_max_filesize,
 * max_execution_time and display_errors, within the bounds its package sets (memory and uploads:
 * the package's resources; run time: the plugin's config). A change bumps the site's generation,
 * so the reconciler renders it into the site's PHP-FPM pool as `php_admin_value`s.
 */
import { CommonErrors, defineError, errorResponses, Type, type Actor, type AuditService, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { WebsitesConfig } from './config.js';
import type { WebsitesService } from './websites-service.js';
import type { WebsiteRow, WebsiteSettings, WebsiteStore } from './store.js';

const tags = ['websites'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409);

export const PhpSettingsErrors = {
  notPhp: defineError('WEBSITES_ERR_NOT_PHP', 409, 'Only php and wordpress websites have PHP settings'),
  outOfBounds: defineError(
    'WEBSITES_ERR_PHP_OUT_OF_BOUNDS',
    400,
    (field: string, max: number) => `${field} may be at most ${max} on this website's package`,
    (field: string, max: number) => ({ field: `/body/${field}`, max }),
  ),
};

const Settings = Type.Object({
  memoryLimitMb: Type.Integer({ description: 'memory_limit (MB)' }),
  uploadMaxMb: Type.Integer({ description: 'upload_max_filesize and post_max_size (MB)' }),
  maxExecutionSeconds: Type.Integer({ description: 'max_execution_time (s)' }),
  displayErrors: Type.Boolean({ description: 'display_errors: show errors in pages (development only)' }),
});
const View = Type.Object({
  settings: Settings,
  bounds: Type.Object({ memoryLimitMb: Type.Integer(), uploadMaxMb: Type.Integer(), maxExecutionSeconds: Type.Integer() }),
  custom: Type.Boolean({ description: 'The site has settings of its own (else the package’s values and PHP’s defaults)' }),
});
const Body = Type.Object(
  {
    memoryLimitMb: Type.Optional(Type.Integer({ minimum: 16, maximum: 65_536 })),
    uploadMaxMb: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_536 })),
    maxExecutionSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    displayErrors: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

type Php = NonNullable<WebsiteSettings['php']>;

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

export function phpSettingsRoutes({
  store,
  service,
  audit,
  config,
}: {
  store: WebsiteStore;
  service: WebsitesService;
  audit: AuditService;
  config: () => WebsitesConfig;
}) {
  async function boundsOf(row: WebsiteRow) {
    const pkg = (await store.subscription(row.subscription_id))?.resources;
    const c = config().resources;
    return {
      memoryLimitMb: pkg?.phpMemoryMb ?? c.phpMemoryMb,
      uploadMaxMb: pkg?.uploadMaxMb ?? c.uploadMaxMb,
      maxExecutionSeconds: c.phpMaxExecutionSeconds,
    };
  }
  /** What the site runs with: its own settings, else the package's values and PHP's defaults. */
  const current = (row: WebsiteRow, bounds: Awaited<ReturnType<typeof boundsOf>>): Php => ({
    memoryLimitMb: Math.min(row.settings.php?.memoryLimitMb ?? bounds.memoryLimitMb, bounds.memoryLimitMb),
    uploadMaxMb: Math.min(row.settings.php?.uploadMaxMb ?? bounds.uploadMaxMb, bounds.uploadMaxMb),
    maxExecutionSeconds: Math.min(row.settings.php?.maxExecutionSeconds ?? 30, bounds.maxExecutionSeconds),
    displayErrors: row.settings.php?.displayErrors ?? false,
  });

  return (app: RouteApp): void => {
    app.get(
      '/:id/php-settings',
      {
        config: { permission: 'websites.site.read' },
        schema: {
          summary: 'PHP settings of a website and the bounds its package sets',
          tags,
          params: IdParams,
          response: { 200: View, ...errors },
        },
      },
      async (request) => {
        const row = await store.scopedOne(actorOf(request), request.params.id);
        const bounds = await boundsOf(row);
        return { settings: current(row, bounds), bounds, custom: row.settings.php !== undefined };
      },
    );

    app.put(
      '/:id/php-settings',
      {
        config: { permission: 'websites.site.write' },
        schema: {
          summary: 'Change PHP settings of a php or wordpress website (fields left out keep their value)',
          tags,
          params: IdParams,
          body: Body,
          response: { 200: View, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const body = request.body;
        const row = await store.db.transaction(async (trx) => {
          const site = await store.scopedOne(actor, request.params.id, trx, true);
          if (site.kind !== 'php' && site.kind !== 'wordpress') throw PhpSettingsErrors.notPhp();
          const bounds = await boundsOf(site);
          const next: Php = { ...current(site, bounds), ...body };
          for (const field of ['memoryLimitMb', 'uploadMaxMb', 'maxExecutionSeconds'] as const) {
            if (next[field] > bounds[field]) throw PhpSettingsErrors.outOfBounds(field, bounds[field]);
          }
          const [updated] = (await store
            .table(trx)
            .where({ id: site.id })
            .update({
              settings: JSON.stringify({ ...site.settings, php: next }) as unknown as WebsiteSettings,
              generation: trx.raw('generation + 1') as unknown as number,
              updated_at: trx.fn.now() as unknown as Date,
            })
            .returning('*')) as WebsiteRow[];
          await audit.record(
            {
              action: 'websites.site.php-settings-changed',
              actorId: actor.userId,
              target: { type: 'website', id: site.id },
              details: { ...next },
              ip: request.ip,
              requestId: request.id,
            },
            { trx },
          );
          await service.enqueueReconcile(trx);
          return updated!;
        });
        const bounds = await boundsOf(row);
        return { settings: current(row, bounds), bounds, custom: true };
      },
    );
  };
}
