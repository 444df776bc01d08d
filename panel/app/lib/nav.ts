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

export function buildNav(me: Me, pages: PanelPage[]): NavSection[] {
  const can = (permission: string) => me.permissions.includes(permission);
  const label = (page: PanelPage) =>
    page.pluginId === 'accounts' && page.id === 'users' && me.user.role === 'reseller' ? 'Customers' : page.nav.label;
  const pluginItems = (section: string) =>
    pages.filter((p) => p.nav.section === section).map((p) => ({ label: label(p), to: dedicatedPathOf(p) ?? p.path }));

  const main: NavItem[] = [{ label: 'Dashboard', to: '/' }, ...pluginItems('main')];
  const admin: NavItem[] = [];
  if (can('platform.plugins.read')) admin.push({ label: 'Plugins', to: '/admin/plugins' });
  if (can('platform.jobs.read')) admin.push({ label: 'Jobs', to: '/admin/jobs' });
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
