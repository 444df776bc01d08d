/** Error codes of the deployments plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

const field = (name: string) => () => ({ field: `/body/${name}` });

export const DeployErrors = {
  websiteNotFound: defineError('DEPLOY_ERR_WEBSITE_NOT_FOUND', 404, (id: string) => `No website ${id}`),
  notFound: defineError('DEPLOY_ERR_NOT_FOUND', 404, (id: string) => `No deployment ${id}`),
  notConnected: defineError('DEPLOY_ERR_NOT_CONNECTED', 404, 'The website is not connected to a repository'),
  hookNotFound: defineError('DEPLOY_ERR_HOOK_NOT_FOUND', 404, 'No such webhook'),
  badSignature: defineError(
    'DEPLOY_ERR_BAD_SIGNATURE',
    401,
    (why: string) => `The webhook is not signed with this site’s secret: ${why}`,
  ),
  badPayload: defineError('DEPLOY_ERR_BAD_PAYLOAD', 400, (why: string) => `The webhook payload is not a push: ${why}`),
  invalidUrl: defineError(
    'DEPLOY_ERR_INVALID_URL',
    400,
    (why: string) => `The repository URL is not accepted: ${why}`,
    field('repositoryUrl'),
  ),
  invalidBranch: defineError(
    'DEPLOY_ERR_INVALID_BRANCH',
    400,
    (why: string) => `The branch is not valid: ${why}`,
    field('branch'),
  ),
  invalidWebRoot: defineError(
    'DEPLOY_ERR_INVALID_WEB_ROOT',
    400,
    (why: string) => `The web root folder is not valid: ${why}`,
    field('webRoot'),
  ),
  invalidBuildCommand: defineError(
    'DEPLOY_ERR_INVALID_BUILD_COMMAND',
    400,
    (why: string) => `The build command is not valid: ${why}`,
    field('buildCommand'),
  ),
  tooManyReleases: defineError(
    'DEPLOY_ERR_KEEP_TOO_MANY',
    400,
    (max: number) => `At most ${max} releases may be kept`,
    field('keepReleases'),
  ),
  unavailable: defineError('DEPLOY_ERR_UNAVAILABLE', 503, (why: string) => `Git deploys cannot work on this server now: ${why}`),
  siteNotActive: defineError('DEPLOY_ERR_SITE_NOT_ACTIVE', 409, 'The website is suspended: it is not deployed to'),
  notRollbackable: defineError(
    'DEPLOY_ERR_NOT_ROLLBACKABLE',
    409,
    (why: string) => `Cannot roll back to this deployment: ${why}`,
  ),
};
