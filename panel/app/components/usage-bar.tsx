/**
 * Usage against a limit. An SVG bar rather than an inline style: the panel's CSP allows no
 * inline styles. The numbers are in the text; the bar only repeats them.
 */
export function UsageBar({ label, used, limit }: { label: string; used: number; limit: number | null }) {
  const ratio = limit === null ? 0 : limit === 0 ? 1 : Math.min(1, used / limit);
  const percent = Math.round(ratio * 100);
  const color =
    ratio >= 0.9 ? 'fill-red-600 dark:fill-red-400' : ratio >= 0.75 ? 'fill-amber-500' : 'fill-indigo-600 dark:fill-indigo-400';
  return (
    <div>
      <div className="flex justify-between text-sm">
        <span className="font-medium">{label}</span>
        <span className="muted">{limit === null ? `${used} of unlimited` : `${used} of ${limit}`}</span>
      </div>
      <svg
        className="mt-1 h-2 w-full"
        viewBox="0 0 100 2"
        preserveAspectRatio="none"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit ?? used}
        aria-valuenow={used}
        aria-valuetext={limit === null ? `${used}, unlimited` : `${used} of ${limit} (${percent}%)`}
      >
        <rect width="100" height="2" rx="1" className="fill-slate-200 dark:fill-slate-700" />
        {limit === null ? null : <rect width={Math.max(ratio * 100, used > 0 ? 1 : 0)} height="2" rx="1" className={color} />}
      </svg>
    </div>
  );
}
