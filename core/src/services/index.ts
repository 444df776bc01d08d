/** The platform services (one file each) and their read sides for the host. */
export { createPluginDatabase } from './database.js';
export { createAuditService, listAudit, type AuditFilter, type AuditRecord } from './audit.js';
export { createMailerService, listOutbox } from './mailer.js';
export { createSettingsService } from './settings.js';
export { systemClock } from './clock.js';
export { hashPassword, verifyPassword } from './passwords.js';
export {
  createUser,
  listUsers,
  getUserByEmail,
  getUserById,
  verifyUserPassword,
  setUserPassword,
  allowedParentRoles,
  type User,
  type UserRole,
  type UserStatus,
  type CreateUserInput,
} from './users.js';
export { normaliseEmail } from './email-address.js';
export { UserErrors, AuditErrors, MailerErrors, SettingsErrors } from './errors.js';
export { createTenancyService } from './tenancy.js';
export { createUsersService, type UsersServiceDeps } from './users-service.js';
export { createLimitsService, LimitErrors } from './limits.js';
