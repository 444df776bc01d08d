/** Audit entries for people: who acted (and as whom), what the target is, details as fields. */

export interface AuditPerson {
  id: string;
  name: string;
  email: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  source: string;
  actorId: string | null;
  actor: AuditPerson | null;
  impersonator: AuditPerson | null;
  action: string;
  target: { type: string; id: string; label: string | null } | null;
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Shown elsewhere in the row (who, target) or meaningless to a reader.
const HIDDEN = new Set(['impersonatorId', 'sessionKey', 'sessionId']);
const LABELS: Record<string, string> = {
  via: 'Through',
  url: 'Address',
  firstUrl: 'First page',
  status: 'Answer',
  statusCode: 'Answer',
  method: 'Method',
};

/** `firstUrl` → "First url", `php_version` → "Php version": a label from a key. */
export function labelOf(key: string): string {
  const known = LABELS[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueOf(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(valueOf).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${labelOf(k).toLowerCase()} ${valueOf(v)}`)
      .join(', ');
  }
  return String(value);
}

/** The details of an entry as label/value pairs; ids and what the row already shows are left out. */
export function detailFields(details: Record<string, unknown>): Array<{ label: string; value: string }> {
  return Object.entries(details)
    .filter(([key, value]) => !HIDDEN.has(key) && !(typeof value === 'string' && UUID.test(value)))
    .map(([key, value]) => ({ label: labelOf(key), value: valueOf(value) }));
}

/** Where a target is shown in the panel, if anywhere. */
export function targetPath(target: NonNullable<AuditEntry['target']>): string | null {
  switch (target.type) {
    case 'user':
      return target.label ? `/users?${new URLSearchParams({ search: target.label })}` : null;
    case 'package':
      return `/packages/${encodeURIComponent(target.id)}`;
    case 'subscription':
      return '/subscriptions';
    case 'website':
      return `/websites/${encodeURIComponent(target.id)}`;
    default:
      return null;
  }
}

/** "Rita Reseller as Alice Customer", "Rita Reseller", "Command line", "System". */
export function actorText(entry: Pick<AuditEntry, 'actor' | 'impersonator' | 'details' | 'source'>): string {
  const name = (p: AuditPerson) => p.name || p.email;
  if (entry.actor && entry.impersonator) return `${name(entry.impersonator)} as ${name(entry.actor)}`;
  if (entry.actor) return name(entry.actor);
  if (entry.details.via === 'cli') return 'Command line';
  if (entry.details.via === 'seed') return 'Demo set-up';
  return entry.source === 'core' ? 'System' : `System (${entry.source})`;
}
