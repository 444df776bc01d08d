/**
 * `/v1/websites/:id/files`: the site's files for the file manager. The path is a query parameter
 * relative to the document root (`checkSitePath` in the SDK says what is refused); the web server
 * driver does the work as the site's system user and refuses anything that leaves the site.
 */
import {
  checkSitePath,
  CommonErrors,
  errorResponses,
  Type,
  type Actor,
  type EventsService,
  type RouteApp,
  type SiteFiles,
  type WebServerDriver,
} from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { WebsitesConfig } from './config.js';
import { WebsitesErrors } from './errors.js';
import type { WebsiteStore } from './store.js';

const tags = ['websites'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const PathQuery = Type.Object(
  { path: Type.String({ maxLength: 1024, default: '', description: 'Inside the site, e.g. css/site.css; empty: the root' }) },
  { additionalProperties: false },
);
const errors = errorResponses(400, 401, 403, 404, 409, 503);
/** Largest file the API returns in one read (base64 in JSON). */
const READ_MAX_BYTES = 5 * 1024 * 1024;
/** Body limit of an upload: the package's upload limit is checked on the decoded bytes below this. */
const UPLOAD_BODY_LIMIT = 64 * 1024 * 1024;
/**
 * Bounds of copy, zip and unzip (decision 0053): what one request may write, so a zip bomb or a
 * copy of a huge tree cannot fill the disk; the package's disk quota (metering) applies below.
 */
export const ARCHIVE_LIMITS = { maxBytes: 512 * 1024 * 1024, maxEntries: 10_000, maxArchiveBytes: UPLOAD_BODY_LIMIT };

const Entry = Type.Object({
  name: Type.String(),
  type: Type.Union([Type.Literal('file'), Type.Literal('directory'), Type.Literal('symlink'), Type.Literal('other')]),
  size: Type.Integer(),
  mode: Type.String(),
  modifiedAt: Type.String({ format: 'date-time' }),
});

const Listing = Type.Object({ path: Type.String(), entries: Type.Array(Entry) });
const Content = Type.Object({
  path: Type.String(),
  entry: Entry,
  encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
  content: Type.String(),
});
const WriteBody = Type.Object(
  {
    content: Type.String({ maxLength: UPLOAD_BODY_LIMIT }),
    encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')], { default: 'utf8' }),
  },
  { additionalProperties: false },
);
const ChangeBody = Type.Union([
  Type.Object({ action: Type.Literal('mkdir') }, { additionalProperties: false }),
  Type.Object(
    { action: Type.Literal('rename'), to: Type.String({ minLength: 1, maxLength: 1024 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { action: Type.Literal('chmod'), mode: Type.String({ pattern: '^0?[0-7]{3}$', description: 'No group or world write' }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { action: Type.Literal('copy'), to: Type.String({ minLength: 1, maxLength: 1024 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal('zip'),
      names: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
        minItems: 1,
        maxItems: 1000,
        description: 'Paths inside the folder `path`, stored in the archive relative to it',
      }),
      to: Type.String({ minLength: 1, maxLength: 1024, description: 'The new archive, e.g. backup.zip' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal('unzip'),
      to: Type.String({ maxLength: 1024, description: 'The folder to extract into (made if missing); empty: the site root' }),
    },
    { additionalProperties: false },
  ),
]);
const Unzipped = Type.Object({ path: Type.String(), entries: Type.Integer(), bytes: Type.Integer() });

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

export interface FileRouteDeps {
  store: WebsiteStore;
  drivers: () => WebServerDriver[];
  config: () => WebsitesConfig;
  events: EventsService;
}

export function fileRoutes({ store, drivers, config, events }: FileRouteDeps) {
  /** The site's files if the actor may reach the site (404 otherwise) and it is on a server. */
  async function filesOf(request: FastifyRequest): Promise<{ files: SiteFiles; subscriptionId: string; siteId: string }> {
    const site = await store.scopedOne(actorOf(request), (request.params as { id: string }).id);
    // The path is checked before anything reaches the server.
    checkSitePath((request.query as { path: string }).path);
    if (site.status === 'deleting') throw WebsitesErrors.transitionRefused('deleting', 'changed');
    const driver = drivers()[0];
    if (!driver?.files) throw WebsitesErrors.noFileManager();
    if (site.applied_generation === 0) throw WebsitesErrors.notOnServer();
    return { files: driver.files({ id: site.id, name: site.name }), subscriptionId: site.subscription_id, siteId: site.id };
  }

  const pathOf = (request: FastifyRequest): string => (request.query as { path: string }).path;

  return (app: RouteApp): void => {
    app.get(
      '/:id/files',
      {
        config: { permission: 'websites.site.read' },
        schema: {
          summary: 'List a folder of the site',
          tags,
          params: IdParams,
          querystring: PathQuery,
          response: { 200: Listing, ...errors },
        },
      },
      async (request) => {
        const { files } = await filesOf(request);
        return { path: pathOf(request), entries: await files.list(pathOf(request)) };
      },
    );

    app.get(
      '/:id/files/content',
      {
        config: { permission: 'websites.site.read' },
        schema: {
          summary: 'Read a file of the site (UTF-8 text as is, anything else in base64; 5 MB at most)',
          tags,
          params: IdParams,
          querystring: PathQuery,
          response: { 200: Content, ...errors },
        },
      },
      async (request) => {
        const { files } = await filesOf(request);
        const { content, entry } = await files.read(pathOf(request), READ_MAX_BYTES);
        const text = content.toString('utf8');
        const isText = Buffer.from(text, 'utf8').equals(content) && !text.includes('\u0000');
        return {
          path: pathOf(request),
          entry,
          encoding: isText ? ('utf8' as const) : ('base64' as const),
          content: isText ? text : content.toString('base64'),
        };
      },
    );

    app.put(
      '/:id/files/content',
      {
        config: { permission: 'websites.site.write' },
        bodyLimit: UPLOAD_BODY_LIMIT,
        schema: {
          summary: 'Upload or save a file (created or replaced; within the package’s upload limit)',
          tags,
          params: IdParams,
          querystring: PathQuery,
          body: WriteBody,
          response: { 200: Entry, ...errors },
        },
      },
      async (request) => {
        const { files, subscriptionId, siteId } = await filesOf(request);
        const { content, encoding } = request.body;
        const bytes = Buffer.from(content, encoding);
        if (encoding === 'base64' && bytes.toString('base64').replace(/=+$/, '') !== content.replace(/=+$/, '')) {
          throw WebsitesErrors.kindSettings('/body/content', 'The content is not valid base64');
        }
        const limitMb = (await store.subscription(subscriptionId))?.resources.uploadMaxMb ?? config().resources.uploadMaxMb;
        if (bytes.length > limitMb * 1024 * 1024) throw WebsitesErrors.fileTooLarge(limitMb);
        // Other plugins may refuse (usage metering: the package's disk is full).
        await events.guard(
          'website.file.writing',
          { websiteId: siteId, subscriptionId, path: pathOf(request), bytes: bytes.length },
          { requestId: request.id },
        );
        return files.write(pathOf(request), bytes);
      },
    );

    app.post(
      '/:id/files',
      {
        config: { permission: 'websites.site.write' },
        schema: {
          summary:
            'Make a folder, rename or move (to), copy (to), change modes (mode: 0644), zip names of the folder into an archive (to), or unzip the archive into a folder (to)',
          description:
            'Copy, zip and unzip write at most 512 MB and 10,000 entries, counted against the package’s disk. Unzip refuses, with nothing written: names leaving the folder, links, encrypted entries, entries whose size lies, names that exist in the folder already.',
          tags,
          params: IdParams,
          querystring: PathQuery,
          body: ChangeBody,
          response: { 200: Type.Union([Entry, Unzipped]), ...errors },
        },
      },
      async (request) => {
        const { files, subscriptionId, siteId } = await filesOf(request);
        const body = request.body;
        const path = pathOf(request);
        if (body.action === 'mkdir') return files.mkdir(path);
        if (body.action === 'rename') return files.rename(path, body.to);
        if (body.action === 'chmod') return files.chmod(path, Number.parseInt(body.mode, 8));
        // What copy, zip and unzip write counts against the package's disk (metering may refuse).
        const limits = {
          ...ARCHIVE_LIMITS,
          beforeWrite: (bytes: number) =>
            events.guard('website.file.writing', { websiteId: siteId, subscriptionId, path, bytes }, { requestId: request.id }),
        };
        const need = <T>(op: T | undefined): T => {
          if (!op) throw WebsitesErrors.noFileManager();
          return op;
        };
        if (body.action === 'copy') return need(files.copy).call(files, path, body.to, limits);
        if (body.action === 'zip') return need(files.zip).call(files, path, body.names, body.to, limits);
        const done = await need(files.unzip).call(files, path, body.to, limits);
        return { path: body.to, ...done };
      },
    );

    app.delete(
      '/:id/files',
      {
        config: { permission: 'websites.site.write' },
        schema: {
          summary: 'Delete a file, a link, or a folder with everything in it',
          tags,
          params: IdParams,
          querystring: PathQuery,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const { files } = await filesOf(request);
        await files.remove(pathOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
