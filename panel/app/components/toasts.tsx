/**
 * Success and error messages in a live region at the bottom of the screen. Without JavaScript
 * they simply stay; with it they fade after a few seconds (errors stay until dismissed).
 */
import { useEffect, useState } from 'react';
import type { Flash } from '../lib/flash';

function Toast({ toast }: { toast: Flash }) {
  const [shown, setShown] = useState(true);
  useEffect(() => {
    if (toast.kind !== 'success') return;
    const timer = setTimeout(() => setShown(false), 6000);
    return () => clearTimeout(timer);
  }, [toast]);
  if (!shown) return null;
  return (
    <div
      data-toast={toast.kind}
      className={`pointer-events-auto flex w-full max-w-sm items-start justify-between gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg ${
        toast.kind === 'success'
          ? 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-100'
          : 'border-red-300 bg-red-50 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100'
      }`}
    >
      <span>{toast.message}</span>
      <button type="button" className="font-semibold" aria-label="Dismiss" onClick={() => setShown(false)}>
        ×
      </button>
    </div>
  );
}

export function Toasts({ items }: { items: Flash[] }) {
  return (
    <div
      aria-live="polite"
      role="status"
      className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-3 sm:items-end sm:pr-6"
    >
      {items.map((toast, i) => (
        <Toast key={`${i}-${toast.message}`} toast={toast} />
      ))}
    </div>
  );
}

/** The toast of an action's result (pages render it: action data belongs to their route). */
export function ResultToast({
  result,
}: {
  result: { ok: boolean; message?: unknown; errors?: { message: string } } | undefined;
}) {
  if (!result) return null;
  const item: Flash | null = result.ok
    ? typeof result.message === 'string'
      ? { kind: 'success', message: result.message }
      : null
    : result.errors
      ? { kind: 'error', message: result.errors.message }
      : null;
  return item ? <Toasts items={[item]} /> : null;
}
