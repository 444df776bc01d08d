/**
 * Admin API for mail templates: every started plugin's templates, and one rendered with its
 * sample for a chosen issuer (the same rendering as sending; docs/decisions/0062, and 0082 for
 * isolated plugins, whose templates render in their own process).
 */
import type { KernelApi } from '@hostplane/core';
import { Type } from '@sinclair/typebox';
import type { HostApp } from '../types.js';
import { errorResponses, listOf } from './schemas.js';

const TemplateId = Type.String({ pattern: '^[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*$', maxLength: 200 });

const MailTemplateSchema = Type.Object({
  id: Type.String(),
  pluginId: Type.String(),
  description: Type.String(),
  variables: Type.Unknown({ description: 'JSON Schema of the variables' }),
});

const MailBrandSchema = Type.Object({
  issuer: Type.String(),
  name: Type.String(),
  logoUrl: Type.Union([Type.String(), Type.Null()]),
  color: Type.String(),
  replyTo: Type.Union([Type.String(), Type.Null()]),
});

const MailPreviewSchema = Type.Object({
  id: Type.String(),
  brand: MailBrandSchema,
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
});

const PreviewQuery = Type.Object(
  {
    issuer: Type.String({
      default: 'platform',
      maxLength: 36,
      pattern: '^(platform|[0-9a-fA-F-]{36})$',
      description: '`platform` or a reseller user id',
    }),
  },
  { additionalProperties: false },
);

/** Register the mail template routes on a scope prefixed `/v1`. */
export function registerMailTemplateAdminRoutes(app: HostApp, kernel: KernelApi): void {
  app.get(
    '/mail-templates',
    {
      config: { permission: 'platform.mail-templates.read' },
      schema: {
        tags: ['mail'],
        summary: "Every started plugin's mail templates, by id",
        response: { 200: listOf(MailTemplateSchema), ...errorResponses() },
      },
    },
    async () => ({ items: kernel.mailTemplates() }),
  );
  app.get(
    '/mail-templates/:id/preview',
    {
      config: { permission: 'platform.mail-templates.read' },
      schema: {
        tags: ['mail'],
        summary: "A template rendered with its sample in an issuer's branding: subject, text and HTML",
        description:
          "An isolated plugin renders its templates in its own process: 502 when it fails or answers too much, 503 while it is down, 504 when it takes longer than the isolation's mail render limit.",
        params: Type.Object({ id: TemplateId }),
        querystring: PreviewQuery,
        response: { 200: MailPreviewSchema, ...errorResponses(400, 404, 502, 503, 504) },
      },
    },
    async (request) => kernel.previewMail(request.params.id, request.query.issuer),
  );
}
