/** The package form's backups card: schedule, time window, retention and storage (plain HTML). */
import { useActionData } from 'react-router';
import { Card, Field } from './ui';
import { BACKUP_FIELDS_MARKER, WEEKDAYS } from '../lib/package-backups';
import type { Package } from '../lib/types';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

function Choice({
  name,
  label,
  value,
  options,
  error,
}: {
  name: string;
  label: string;
  value: string;
  options: Array<[string, string]>;
  error: string | undefined;
}) {
  // A refused post renders the page again: show what was sent, as Field does for inputs.
  const submitted = (useActionData() as { values?: Record<string, string> } | undefined)?.values;
  const id = `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return (
    <Field name={name} label={label} error={error} id={id}>
      <select
        id={id}
        name={name}
        className="input"
        defaultValue={submitted && name in submitted ? submitted[name] : value}
        aria-invalid={error ? true : undefined}
      >
        <option value="">Platform default</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function PackageBackupsCard({ pkg, err }: { pkg: Package | null; err: (name: string) => string | undefined }) {
  const feature = (k: string) => {
    const v = pkg?.features[k];
    return typeof v === 'number' || typeof v === 'string' ? String(v) : '';
  };
  const hours: Array<[string, string]> = HOURS.map((h) => [String(h), `${String(h).padStart(2, '0')}:00`]);
  return (
    <Card title="Backups">
      <input type="hidden" name={BACKUP_FIELDS_MARKER} value="on" />
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
        When sites of this package are backed up (server time) and what is kept. Empty: the platform&apos;s default.
      </p>
      <div className="grid gap-4 sm:grid-cols-4">
        <Choice
          name="features.backup_frequency"
          label="How often"
          value={feature('backup_frequency')}
          options={[
            ['daily', 'Daily'],
            ['weekly', 'Weekly'],
          ]}
          error={err('features.backup_frequency')}
        />
        <Choice
          name="features.backup_weekday"
          label="Weekly on"
          value={feature('backup_weekday')}
          options={WEEKDAYS.map((d, i) => [String(i), d])}
          error={err('features.backup_weekday')}
        />
        <Choice
          name="features.backup_window_from"
          label="Window from"
          value={feature('backup_window_from')}
          options={hours}
          error={err('features.backup_window_from')}
        />
        <Choice
          name="features.backup_window_to"
          label="Window to"
          value={feature('backup_window_to')}
          options={hours}
          error={err('features.backup_window_to')}
        />
        {(['daily', 'weekly', 'monthly'] as const).map((p) => (
          <Field
            key={p}
            name={`features.backup_keep_${p}`}
            label={`Keep ${p}`}
            inputMode="numeric"
            placeholder="default"
            defaultValue={feature(`backup_keep_${p}`)}
            error={err(`features.backup_keep_${p}`)}
          />
        ))}
        <Field
          name="limits.backup_storage_mb"
          label="Backup storage (MB)"
          inputMode="numeric"
          placeholder="unlimited"
          defaultValue={pkg ? (pkg.limits.backup_storage_mb ?? '') : ''}
          error={err('limits.backup_storage_mb')}
        />
      </div>
    </Card>
  );
}
