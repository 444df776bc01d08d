import { index, layout, route, type RouteConfig } from '@react-router/dev/routes';

export default [
  layout('routes/auth-layout.tsx', [
    route('login', 'routes/login.tsx'),
    route('register', 'routes/register.tsx'),
    route('forgot-password', 'routes/forgot-password.tsx'),
    route('reset-password', 'routes/reset-password.tsx'),
    route('verify-email', 'routes/verify-email.tsx'),
  ]),
  route('logout', 'routes/logout.tsx'),
  // Files of plugin pages (an invoice's PDF), outside the layout: bytes, not a page.
  route('download/:pluginId/:pageId', 'routes/plugin-download.tsx'),
  route('theme', 'routes/theme.tsx'),
  route('websites/:id/files/download', 'routes/website-file-download.tsx'),
  layout('routes/app-layout.tsx', [
    index('routes/dashboard.tsx'),
    route('account', 'routes/account.tsx'),
    route('account/security', 'routes/account-security.tsx'),
    route('account/sessions', 'routes/account-sessions.tsx'),
    route('account/tokens', 'routes/account-tokens.tsx'),
    route('account/history', 'routes/account-history.tsx'),
    route('websites', 'routes/websites.tsx'),
    route('websites/new', 'routes/website-new.tsx'),
    route('websites/:id', 'routes/website.tsx'),
    route('websites/:id/files', 'routes/website-files.tsx'),
    route('users', 'routes/users.tsx'),
    route('impersonate', 'routes/impersonate.tsx'),
    route('packages', 'routes/packages.tsx'),
    route('packages/new', 'routes/package-edit.tsx', { id: 'routes/package-new' }),
    route('packages/:id', 'routes/package-edit.tsx'),
    route('subscriptions', 'routes/subscriptions.tsx'),
    route('admin/plugins', 'routes/admin-plugins.tsx'),
    route('admin/plugins/:id', 'routes/admin-plugin.tsx'),
    route('admin/jobs', 'routes/admin-jobs.tsx'),
    route('admin/audit', 'routes/admin-audit.tsx'),
    route('admin/health', 'routes/admin-health.tsx'),
    route('p/:pluginId/:pageId', 'routes/plugin-page.tsx'),
    // A page with a path parameter (`pathParam`): one file, a second route id.
    route('p/:pluginId/:pageId/:key', 'routes/plugin-page.tsx', { id: 'routes/plugin-page-key' }),
    route('*', 'routes/not-found.tsx'),
  ]),
] satisfies RouteConfig;
