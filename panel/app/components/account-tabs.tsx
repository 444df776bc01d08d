import { NavLink } from 'react-router';

const TABS = [
  { to: '/account', label: 'Profile' },
  { to: '/account/security', label: 'Two-factor' },
  { to: '/account/sessions', label: 'Sessions' },
  { to: '/account/tokens', label: 'API tokens' },
  { to: '/account/history', label: 'Sign-in history' },
];

export function AccountTabs() {
  return (
    <nav aria-label="Account" className="mb-6 flex gap-1 overflow-x-auto border-b border-slate-200 dark:border-slate-800">
      {TABS.map((tab) => (
        <NavLink
          key={tab.to}
          to={tab.to}
          end
          className={({ isActive }) =>
            `-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap ${
              isActive
                ? 'border-indigo-600 text-indigo-800 dark:border-indigo-400 dark:text-indigo-200'
                : 'border-transparent text-slate-700 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white'
            }`
          }
        >
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}
