/** The navigation: built-in pages the user's permissions allow, plus the enabled plugins' pages. */
import type { Me, PanelPage } from './types';

export interface NavItem {
  label: string;
  to: string;
}

export interface NavSection {
  title: string;
  items: NavItem[];
}

/**
 * Plugin pages the panel shows with a dedicated screen: the plugin's declaration still decides
 * whether (and for whom) the entry appears, the link goes to the richer page.
 */
const DEDICATED: Record<string, string> = {
  'accounts/users': '/users',
  'accounts/packages': '/packages',
  'accounts/subscriptions': '/subscriptions',
  'websites/websites': '/websites',
};

export function dedicatedPathOf(page: Pick<PanelPage, 'pluginId' | 'id'>): string | undefined {
  return DEDICATED[`${page.pluginId}/${page.id}`];
}

/**
 * Pages a customer (or its technical user) may read but not use: it buys no package itself, and
 * its subscriptions, with their usage, are on its dashboard.
 */
const NOT_FOR_CUSTOMERS = new Set(['accounts/packages', 'accounts/subscriptions']);

const USERS_LABEL: Partial<Record<Me['user']['role'], string>> = { reseller: 'Customers', customer: 'Technical users' };

export function buildNav(me: Me, pages: PanelPage[]): NavSection[] {
  const can = (permission: string) => me.permissions.includes(permission);
  const isCustomer = me.user.role === 'customer' || me.user.role === 'technical_user';
  const label = (page: PanelPage) =>
    (page.pluginId === 'accounts' && page.id === 'users' ? USERS_LABEL[me.user.role] : undefined) ??
    page.nav?.label ??
    page.title;
  const pluginItems = (section: string) =>
    pages
      .filter((p) => p.nav?.section === section && !(isCustomer && NOT_FOR_CUSTOMERS.has(`${p.pluginId}/${p.id}`)))
      .map((p) => ({ label: label(p), to: dedicatedPathOf(p) ?? p.path }));

  const main: NavItem[] = [{ label: 'Dashboard', to: '/' }, ...pluginItems('main')];
  const admin: NavItem[] = [];
  if (can('platform.plugins.read')) admin.push({ label: 'Plugins', to: '/admin/plugins' });
  if (can('platform.jobs.read')) admin.push({ label: 'Jobs', to: '/admin/jobs' });
  if (can('platform.mail-templates.read')) admin.push({ label: 'Mail templates', to: '/admin/mail-templates' });
  if (can('accounts.audit.read')) admin.push({ label: 'Audit log', to: '/admin/audit' });
  if (me.user.role === 'super_admin') admin.push({ label: 'System health', to: '/admin/health' });
  admin.push(...pluginItems('admin'));
  const account: NavItem[] = [{ label: 'Account', to: '/account' }, ...pluginItems('account')];

  return [
    { title: 'Hosting', items: main },
    ...(admin.length > 0 ? [{ title: 'Administration', items: admin }] : []),
    { title: 'You', items: account },
  ];
}
