/** Error codes of the platform services. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

/** Users and passwords. */
export const UserErrors = {
  emailInvalid: defineError('USERS_ERR_EMAIL_INVALID', 400, 'The email address is not valid'),
  emailTaken: defineError('USERS_ERR_EMAIL_TAKEN', 409, 'A user with this email address already exists'),
  roleInvalid: defineError(
    'USERS_ERR_ROLE_INVALID',
    400,
    (role: string) => `"${role}" is not a role (super_admin, reseller, customer, technical_user)`,
  ),
  parentInvalid: defineError('USERS_ERR_PARENT_INVALID', 400, (reason: string) => `Invalid parent: ${reason}`),
  passwordInvalid: defineError('USERS_ERR_PASSWORD_INVALID', 400, (reason: string) => `Invalid password: ${reason}`),
  nameInvalid: defineError('USERS_ERR_NAME_INVALID', 400, (reason: string) => `Invalid name: ${reason}`),
  filterInvalid: defineError('USERS_ERR_FILTER_INVALID', 400, (reason: string) => `Invalid user filter: ${reason}`),
  notFound: defineError('USERS_ERR_NOT_FOUND', 404, (id: string) => `No user ${id}`),
  statusInvalid: defineError('USERS_ERR_STATUS_INVALID', 400, (status: string) => `Unknown status "${status}"`),
  notTechnical: defineError('USERS_ERR_NOT_TECHNICAL', 400, (id: string) => `User ${id} is not a technical user`),
  grantRefused: defineError(
    'USERS_ERR_GRANT_REFUSED',
    403,
    (permissions: string[]) => `Cannot grant what a customer does not hold: ${permissions.join(', ')}`,
    (permissions: string[]) => ({ permissions }),
  ),
} as const;

/** The audit log. A bad entry is a bug in the caller, hence 500. */
export const AuditErrors = {
  entryInvalid: defineError('AUDIT_ERR_ENTRY_INVALID', 500, (reason: string) => `Invalid audit entry: ${reason}`),
  filterInvalid: defineError('AUDIT_ERR_FILTER_INVALID', 400, (reason: string) => `Invalid audit filter: ${reason}`),
} as const;

/** The mailer and its outbox. */
export const MailerErrors = {
  messageInvalid: defineError('MAILER_ERR_MESSAGE_INVALID', 400, (reason: string) => `Invalid mail: ${reason}`),
  filterInvalid: defineError('MAILER_ERR_FILTER_INVALID', 400, (reason: string) => `Invalid outbox filter: ${reason}`),
  variablesInvalid: defineError(
    'MAILER_ERR_VARIABLES_INVALID',
    400,
    (template: string, reason: string) => `Invalid variables for mail template ${template}: ${reason}`,
  ),
  issuerInvalid: defineError('MAILER_ERR_ISSUER_INVALID', 400, 'The issuer must be "platform" or the user id of a reseller'),
  templateNotFound: defineError('MAILER_ERR_TEMPLATE_NOT_FOUND', 404, (id: string) => `No mail template "${id}"`),
  // An isolated plugin renders its templates in its own process (core/src/isolation/remote-mails.ts):
  // the plugin is then an upstream that failed, hence gateway statuses.
  renderFailed: defineError(
    'MAILER_ERR_RENDER_FAILED',
    502,
    (id: string, reason: string) => `Mail template ${id} could not be rendered by its plugin: ${reason}`,
    (id: string) => ({ template: id }),
  ),
  renderTooLarge: defineError(
    'MAILER_ERR_RENDER_TOO_LARGE',
    502,
    (id: string, limit: number) => `Mail template ${id} rendered more than ${limit} characters; its plugin's answer was dropped`,
    (id: string, limit: number) => ({ template: id, limitChars: limit }),
  ),
  renderTimeout: defineError(
    'MAILER_ERR_RENDER_TIMEOUT',
    504,
    (id: string, ms: number) => `Mail template ${id} was not rendered by its plugin within ${ms} ms`,
    (id: string, ms: number) => ({ template: id, limitMs: ms }),
  ),
} as const;

/** Plugin settings. */
export const SettingsErrors = {
  keyInvalid: defineError('SETTINGS_ERR_KEY_INVALID', 400, 'A setting key is a non-empty string of at most 200 characters'),
  valueInvalid: defineError('SETTINGS_ERR_VALUE_INVALID', 400, (reason: string) => `Invalid setting value: ${reason}`),
} as const;
