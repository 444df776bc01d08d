/**
 * The backups plugin's package fields (decision 0059): schedule, retention and storage. Shown on
 * the package form only while the plugin is enabled (its panel page is listed), and sent only
 * when the form showed them, so a package edited without them keeps what it had.
 */
import { text } from './action';

/** The marker the form carries when it showed the fields. */
export const BACKUP_FIELDS_MARKER = 'backupFields';

export const BACKUP_LABELS: Record<string, string> = {
  backup_storage_mb: 'Backup storage (MB)',
  backup_frequency: 'How often',
  backup_weekday: 'Weekly on',
  backup_window_from: 'Window from',
  backup_window_to: 'Window to',
  backup_keep_daily: 'Keep daily',
  backup_keep_weekly: 'Keep weekly',
  backup_keep_monthly: 'Keep monthly',
};

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "7" → 7, empty → null (the plugin's default), anything else as is for the API to refuse by name. */
function integerOrNull(value: string | undefined): number | null | string {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isInteger(n) ? n : value;
}

/** The fields of a posted form: `{ limits, features }` parts to merge into the package body, or null. */
export function backupFieldsOf(form: FormData): { limits: Record<string, unknown>; features: Record<string, unknown> } | null {
  if (form.get(BACKUP_FIELDS_MARKER) !== 'on') return null;
  const features: Record<string, unknown> = { backup_frequency: text(form, 'features.backup_frequency') ?? null };
  for (const key of [
    'backup_weekday',
    'backup_window_from',
    'backup_window_to',
    'backup_keep_daily',
    'backup_keep_weekly',
    'backup_keep_monthly',
  ]) {
    features[key] = integerOrNull(text(form, `features.${key}`));
  }
  return { limits: { backup_storage_mb: integerOrNull(text(form, 'limits.backup_storage_mb')) }, features };
}
