/**
 * While something is still provisioning, reload the page's data every few seconds (with
 * JavaScript; without it, the page offers a refresh link). Stops when nothing is settling.
 */
import { useEffect } from 'react';
import { Link, useLocation, useRevalidator } from 'react-router';

export function LiveRefresh({ active, every = 2000 }: { active: boolean; every?: number }) {
  const revalidator = useRevalidator();
  const location = useLocation();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === 'idle' && document.visibilityState === 'visible') void revalidator.revalidate();
    }, every);
    return () => clearInterval(timer);
  }, [active, every, revalidator]);
  if (!active) return null;
  return (
    <p className="muted flex items-center gap-2 text-sm" role="status">
      <span className="inline-block size-2 animate-pulse rounded-full bg-sky-500" aria-hidden="true" />
      Working on it… this page updates by itself.{' '}
      <Link className="link" to={location.pathname + location.search}>
        Refresh
      </Link>
    </p>
  );
}
