/** "Ask X (x@…)": the way forward when the user's package does not give what they tried. */
import type { ReactNode } from 'react';
import type { Provider } from '../lib/types';
import { Alert } from './ui';

export function AskProvider({ provider, children }: { provider: Provider | null; children: ReactNode }) {
  return (
    <Alert kind="info">
      {children}{' '}
      {provider ? (
        <>
          Ask {provider.name || provider.email} (
          <a className="link" href={`mailto:${provider.email}`}>
            {provider.email}
          </a>
          ), who provides your hosting.
        </>
      ) : (
        'Ask your hosting provider.'
      )}
    </Alert>
  );
}

/** Why a user cannot create a website: no package to count it against. */
export function NoPackageNotice({ provider }: { provider: Provider | null }) {
  return (
    <div data-testid="no-package">
      <AskProvider provider={provider}>You have no active hosting package yet, so you cannot create websites.</AskProvider>
    </div>
  );
}

/** Why a reseller cannot build packages: no reseller package (allowance) of its own. */
export function NoAllowanceNotice({ provider }: { provider: Provider | null }) {
  return (
    <div className="mb-4" data-testid="no-allowance">
      <AskProvider provider={provider}>
        You build packages for your customers within a reseller package of your own, and you have none yet.
      </AskProvider>
    </div>
  );
}
