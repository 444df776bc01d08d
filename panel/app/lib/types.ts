/** Shapes of the API answers the panel reads (see the OpenAPI document at /docs). */

export type Role = 'super_admin' | 'reseller' | 'customer' | 'technical_user';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  parentId: string | null;
  status: string;
  emailVerifiedAt: string | null;
  createdAt: string;
}

export interface Me {
  user: User;
  permissions: string[];
  via: string | null;
  twoFactorEnabled: boolean;
  session: { id: string; createdAt: string; lastSeenAt: string; expiresAt: string; twoFactor: boolean } | null;
  impersonation: { impersonatorId: string } | null;
  csrfToken: string | null;
}

/** The user above one: whom to ask for a package (`GET /v1/provider`). */
export interface Provider {
  name: string;
  email: string;
}

export interface List<T> {
  items: T[];
  total?: number;
  page?: number;
  limit?: number;
}

export const LIMIT_KEYS = [
  'disk_mb',
  'bandwidth_gb',
  'websites',
  'domains',
  'databases',
  'email_accounts',
  'cron_jobs',
  'backups',
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

export const LIMIT_LABELS: Record<string, string> = {
  disk_mb: 'Disk (MB)',
  bandwidth_gb: 'Bandwidth (GB)',
  websites: 'Websites',
  domains: 'Domains',
  databases: 'Databases',
  email_accounts: 'Email accounts',
  cron_jobs: 'Cron jobs',
  backups: 'Backups',
};

export const FEATURE_KEYS = ['ssh', 'git_deploy', 'staging', 'waf', 'malware_scan', 'backups'] as const;
export const FEATURE_LABELS: Record<string, string> = {
  ssh: 'SSH access',
  git_deploy: 'Git deploy',
  staging: 'Staging sites',
  waf: 'Web application firewall',
  malware_scan: 'Malware scan',
  backups: 'Backups',
};

export interface Package {
  id: string;
  name: string;
  description: string;
  currency: string;
  prices: { monthly: number | null; quarterly: number | null; yearly: number | null };
  setupFee: number;
  /** `backup_storage_mb`: the backups plugin's (shown only while it is enabled). */
  limits: Record<LimitKey, number | null> & { backup_storage_mb?: number | null };
  features: Record<string, boolean | string[] | string | number | null>;
  visibility: 'public' | 'hidden' | 'reseller_only';
  ownerId: string | null;
  archived: boolean;
  createdAt: string;
}

export interface Subscription {
  id: string;
  customerId: string;
  packageId: string;
  packageName: string;
  status: string;
  billingCycle: string;
  nextDueDate: string | null;
  suspendReason: string | null;
  createdAt: string;
}

export interface Usage {
  subscriptionId: string;
  /** `enforced`: some started plugin enforces the limit; the others promise nothing yet. */
  resources: Array<{ resource: string; used: number; limit: number | null; enforced: boolean }>;
  enforced: string[];
}

export interface PanelPage {
  pluginId: string;
  id: string;
  title: string;
  path: string;
  /** null: reached through links only. */
  nav: { label: string; section: string; order: number } | null;
  params: string[];
  /** Name of the page's path parameter (`/p/<plugin>/<page>/<value>`), or null. */
  pathParam?: string | null;
  titleFrom: { source: string; field: string } | null;
  /** A core list whose rows link here (the row's id as the path parameter). */
  linkFrom?: { list: string; label: string } | null;
  sections: PanelSection[];
}

export interface PanelColumn {
  field: string;
  label: string;
  format?: 'text' | 'date' | 'status' | 'money' | 'bytes' | 'link';
  link?: string;
  currencyField?: string;
}

export interface PanelResult {
  title?: string;
  fields: Array<{ field: string; label: string }>;
  once?: boolean;
}

export interface PanelCondition {
  field: string;
  in: Array<string | number | boolean | null>;
}

export interface PanelRowAction {
  label: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  route: string;
  body?: Record<string, string | number | boolean>;
  permission?: string;
  when?: PanelCondition[];
  redirect?: string;
  confirm?: string;
  danger?: boolean;
  result?: PanelResult;
  next?: string;
}

export interface PanelDownload {
  label: string;
  route: string;
  permission?: string;
  when?: PanelCondition[];
}

export type PanelSection =
  | {
      kind: 'table';
      title?: string;
      source: string;
      field?: string;
      columns: PanelColumn[];
      empty?: string;
      actions?: PanelRowAction[];
      live?: PanelCondition[];
    }
  | {
      kind: 'form';
      title?: string;
      schema: JsonSchema;
      submit: { method: 'POST' | 'PUT' | 'PATCH'; route: string; label?: string };
      values?: string;
      result?: PanelResult;
      choices?: Record<string, { source: string; value: string; label: string }>;
      permission?: string;
      when?: PanelCondition[];
      about?: string;
    }
  | { kind: 'text'; text: string }
  | {
      kind: 'chart';
      title?: string;
      source: string;
      x: string;
      series: Array<{ field: string; label: string }>;
      format?: 'number' | 'bytes';
    }
  | {
      kind: 'detail';
      title?: string;
      source: string;
      fields: PanelColumn[];
      empty?: string;
      actions?: PanelRowAction[];
      downloads?: PanelDownload[];
    }
  | {
      kind: 'log';
      title?: string;
      source: string;
      field: string;
      stream: string;
      while: PanelCondition[];
    };

/** The part of JSON Schema the generated forms understand. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: string;
  items?: JsonSchema;
  writeOnly?: boolean;
  secret?: boolean;
  [key: string]: unknown;
}

export interface Website {
  id: string;
  name: string;
  domain: string;
  domainDisplay: string;
  aliases: string[];
  kind: 'static' | 'php' | 'wordpress' | 'nodejs';
  phpVersion: string | null;
  status: 'provisioning' | 'active' | 'suspended' | 'error' | 'deleting';
  statusReason: string | null;
  suspendedFor: string[];
  ownerId: string;
  subscriptionId: string;
  previewUrl: string | null;
  converged: boolean;
  createdAt: string;
  updatedAt: string;
  history?: Array<{ at: string; step: string; outcome: 'ok' | 'error' | 'waiting' | 'info'; message: string }>;
}

export const WEBSITE_KINDS: Record<Website['kind'], string> = {
  static: 'Static files',
  php: 'PHP',
  wordpress: 'WordPress',
  nodejs: 'Node.js',
};

/** Statuses that change by themselves: pages showing them poll (with JavaScript). */
export const SETTLING = new Set(['provisioning', 'deleting']);
