/**
 * OpenAPI 3 from the route schemas (@fastify/swagger), the UI at /docs and the document also at
 * `GET /v1/openapi.json`. Built per generation, so it always lists exactly the routes of the
 * plugins that are enabled now.
 */
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HostplaneRouteConfig } from '@hostplane/sdk';
import type { FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import type { HostApp } from './types.js';

// The same relative path from src/server and dist/server.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Where the UI lives; the JSON is also at `${DOCS_PREFIX}/json`. */
export const DOCS_PREFIX = '/docs';

/** Say in each operation who may call it: a `security` requirement and `x-permission`. */
function describeAccess(schema: FastifySchema | undefined, config: HostplaneRouteConfig | undefined): FastifySchema {
  const out: FastifySchema & Record<string, unknown> = { ...schema };
  if (config?.permission) {
    out['x-permission'] = config.permission;
    out.security = [{ bearerAuth: [] }];
  } else if (config?.authenticated) {
    out.security = [{ bearerAuth: [] }];
  } else if (config?.public) {
    out.security = [];
  }
  return out;
}

/**
 * Register swagger (it collects routes through onRoute, so before any documented route) and
 * the UI. Both are this generation's, so the document is rebuilt with the routes.
 */
export const openApiPlugin = fp(
  async (app: HostApp) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Hostplane',
          version,
          description: 'Hostplane platform API: the core admin API and the routes of every enabled plugin.',
        },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token or session token' },
          },
        },
      },
      transform: ({ schema, url, route }) => ({
        schema: describeAccess(schema, route.config as HostplaneRouteConfig | undefined),
        url,
      }),
    });
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      uiConfig: { docExpansion: 'list', deepLinking: true },
    });
    app.get(
      '/v1/openapi.json',
      { config: { public: true }, schema: { hide: true } },
      // `swagger()` caches the document; this generation's routes are fixed after ready.
      () => app.swagger(),
    );
  },
  { name: 'hostplane-openapi', fastify: '5.x' },
);
