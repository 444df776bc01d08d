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
  route('theme', 'routes/theme.tsx'),
  layout('routes/app-layout.tsx', [
    index('routes/dashboard.tsx'),
    route('account', 'routes/account.tsx'),
    route('account/security', 'routes/account-security.tsx'),
    route('account/sessions', 'routes/account-sessions.tsx'),
    route('account/tokens', 'routes/account-tokens.tsx'),
    route('account/history', 'routes/account-history.tsx'),
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
    route('*', 'routes/not-found.tsx'),
  ]),
] satisfies RouteConfig;
