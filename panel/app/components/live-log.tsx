/**
 * A plugin page's growing text (sdk/src/panel.ts `PanelLogSection`: a build log). The server
 * renders the text so far; while it still grows the section offers a refresh link (all a page
 * without JavaScript can do), and with JavaScript it follows the API's server-sent events
 * instead: `snapshot` replaces the text, `append` adds to it, `status` and `end` say how it
 * stands, and after `end` the page's other sections are read again. Without a stream (an
 * impersonation session, whose token the browser does not hold) it reloads the page's data
 * every few seconds.
 */
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useRevalidator } from 'react-router';
import { LiveRefresh } from './live';

export interface LiveLogProps {
  title: string;
  text: string;
  /** The text still grows. */
  active: boolean;
  /** Same-origin URL of the event stream, or null to poll the page instead. */
  streamUrl: string | null;
  index: number;
}

interface Standing {
  status?: string;
  phase?: string | null;
}

function parse(event: MessageEvent): Record<string, unknown> | null {
  try {
    const data = JSON.parse(String(event.data)) as unknown;
    return data && typeof data === 'object' ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function LiveLog({ title, text, active, streamUrl, index }: LiveLogProps) {
  const [shown, setShown] = useState(text);
  const [standing, setStanding] = useState<Standing | null>(null);
  const [following, setFollowing] = useState(false);
  const revalidator = useRevalidator();
  // The stream outlives renders; it calls the newest revalidate, not the one it started with.
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  const location = useLocation();
  const pre = useRef<HTMLPreElement>(null);

  // New data from the server (a revalidation, a refresh) replaces what the stream built.
  useEffect(() => setShown(text), [text]);

  useEffect(() => {
    if (!active || !streamUrl || typeof EventSource === 'undefined') return;
    const source = new EventSource(streamUrl);
    const stick = () => {
      const el = pre.current;
      // Keep the newest line in view unless the reader scrolled up to read.
      if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 40)
        requestAnimationFrame(() => (el.scrollTop = el.scrollHeight));
    };
    source.addEventListener('open', () => setFollowing(true));
    source.addEventListener('snapshot', (e) => {
      const data = parse(e as MessageEvent);
      if (typeof data?.text !== 'string') return;
      setShown(data.text);
      setStanding({ status: String(data.status ?? ''), phase: (data.phase as string | null) ?? null });
      stick();
    });
    source.addEventListener('append', (e) => {
      const data = parse(e as MessageEvent);
      if (typeof data?.text !== 'string') return;
      const more = data.text;
      setShown((s) => s + more);
      stick();
    });
    source.addEventListener('status', (e) => {
      const data = parse(e as MessageEvent);
      if (data) setStanding({ status: String(data.status ?? ''), phase: (data.phase as string | null) ?? null });
    });
    source.addEventListener('end', (e) => {
      const data = parse(e as MessageEvent);
      if (data) setStanding({ status: String(data.status ?? ''), phase: (data.phase as string | null) ?? null });
      source.close();
      setFollowing(false);
      void revalidate.current();
    });
    // The API refused (the session ended, the resource is gone): EventSource stops by itself.
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) setFollowing(false);
    });
    return () => source.close();
  }, [active, streamUrl]);

  const id = `log-${index}`;
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="mb-2 text-lg font-semibold">
        {title}
      </h2>
      {active && streamUrl ? (
        <p className="muted mb-2 flex items-center gap-2 text-sm" role="status" data-following={following ? 'yes' : 'no'}>
          <span className="inline-block size-2 animate-pulse rounded-full bg-sky-500" aria-hidden="true" />
          {standing?.status ? `${standing.status}${standing.phase ? `: ${standing.phase}` : ''}. ` : 'Still running. '}
          {following ? 'New lines appear here as they are written. ' : 'This is the log so far. '}
          <Link className="link" to={location.pathname + location.search} reloadDocument>
            Refresh
          </Link>
        </p>
      ) : null}
      {active && !streamUrl ? <LiveRefresh active /> : null}
      <pre
        ref={pre}
        className="max-h-[32rem] overflow-auto rounded border border-slate-300 bg-slate-950 p-3 text-xs whitespace-pre-wrap text-slate-100 dark:border-slate-700"
        aria-label={title}
        tabIndex={0}
      >
        {shown || '(nothing yet)'}
      </pre>
    </section>
  );
}
