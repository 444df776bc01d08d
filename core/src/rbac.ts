/**
 * Role-based access: permissions are named strings that core and plugins define, each with the
 * roles that hold it by default. `super_admin` holds every permission.
 */
import { ROLES, type RbacPermissionDefinition, type Role } from '@hostplane/sdk';
import type { PermissionInfo } from './kernel-api.js';

/** Permissions the platform itself defines (the admin API in host/). */
export const CORE_PERMISSIONS: Record<string, RbacPermissionDefinition> = {
  'platform.plugins.read': { description: 'See installed plugins and their state', roles: [] },
  'platform.plugins.manage': { description: 'Enable, disable and configure plugins', roles: [] },
  'platform.jobs.read': { description: 'See durable jobs and their errors', roles: [] },
  'platform.jobs.manage': { description: 'Retry failed jobs', roles: [] },
  'platform.outbox.read': { description: 'Read the development mail outbox', roles: [] },
  'platform.mail-templates.read': { description: "List plugins' mail templates and preview them", roles: [] },
  'platform.audit.read': { description: 'Read the audit log', roles: [] },
};

const NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;

/** True when `name` follows `<area>.<resource>.<action>`. */
export function isPermissionName(name: string): boolean {
  return NAME.test(name);
}

/** The registry of defined permissions. */
export class Rbac {
  private readonly owned = new Map<string, PermissionInfo>();

  constructor() {
    this.define('core', CORE_PERMISSIONS);
  }

  /** Add `owner`'s permissions; a name already owned by someone else is refused. */
  define(owner: string, definitions: Record<string, RbacPermissionDefinition>): void {
    for (const [name, def] of Object.entries(definitions)) {
      const existing = this.owned.get(name);
      if (existing && existing.owner !== owner) {
        throw new Error(`permission "${name}" is already defined by "${existing.owner}"`);
      }
      if (!isPermissionName(name)) throw new Error(`permission "${name}" must look like <area>.<resource>.<action>`);
      for (const role of def.roles ?? []) {
        if (!ROLES.includes(role)) throw new Error(`permission "${name}" grants unknown role "${role}"`);
      }
    }
    for (const [name, def] of Object.entries(definitions)) this.owned.set(name, { ...def, name, owner });
  }

  /** Remove `owner`'s permissions (its plugin stopped). */
  removeOwner(owner: string): void {
    for (const [name, info] of this.owned) if (info.owner === owner) this.owned.delete(name);
  }

  all(): PermissionInfo[] {
    return [...this.owned.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Permissions `role` holds. */
  permissionsOf(role: string): Set<string> {
    const out = new Set<string>();
    for (const info of this.owned.values()) {
      if (role === 'super_admin' || (info.roles ?? []).includes(role as Role)) out.add(info.name);
    }
    return out;
  }
}
