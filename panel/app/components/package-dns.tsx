/**
 * The package page's DNS template card (decision 0070): its own form (the template is the DNS
 * plugin's, saved by its own request), one record per line, with what a domain would get.
 */
import { Form, useActionData } from 'react-router';
import { Card, CsrfInput, Field } from './ui';
import {
  DNS_TEMPLATE_FIELD,
  DNS_TEMPLATE_INHERIT,
  DNS_TEMPLATE_SAVE,
  SOURCE_TEXT,
  templateText,
  type PackageDnsPreview,
  type PackageDnsTemplate,
} from '../lib/package-dns';

export function PackageDnsCard({
  template,
  preview,
  error,
}: {
  template: PackageDnsTemplate;
  preview: PackageDnsPreview | null;
  error: string | undefined;
}) {
  // A refused save renders the page again: show what was sent, not the stored template.
  const submitted = (useActionData() as { values?: Record<string, string> } | undefined)?.values;
  const shown = submitted && DNS_TEMPLATE_FIELD in submitted ? submitted[DNS_TEMPLATE_FIELD] : templateText(template.records);
  const { ipv4, ipv6 } = template.placeholders;
  return (
    <Card title="DNS template">
      <Form method="post" className="space-y-4" noValidate>
        <CsrfInput />
        <p className="text-sm text-slate-600 dark:text-slate-400">
          The records a new zone of this package starts with (a website&apos;s domain, or a zone added without records).{' '}
          {SOURCE_TEXT[template.source]} Changing it does not change existing zones.
        </p>
        <Field
          name={DNS_TEMPLATE_FIELD}
          label="Template records"
          error={error}
          hint={
            <>
              One per line: name, optional TTL, type, data, e.g. <code>@ MX 10 mail.{'{domain}'}</code>. <code>{'{domain}'}</code>{' '}
              is the zone, <code>{'{ipv4}'}</code> {ipv4 ? `is ${ipv4}` : 'is not set (records using it are left out)'},{' '}
              <code>{'{ipv6}'}</code> {ipv6 ? `is ${ipv6}` : 'is not set (records using it are left out)'}.
            </>
          }
        >
          <textarea
            id="f-dnsTemplate"
            name={DNS_TEMPLATE_FIELD}
            rows={Math.max(6, template.records.length + 2)}
            className="input font-mono"
            defaultValue={shown}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'f-dnsTemplate-error f-dnsTemplate-hint' : 'f-dnsTemplate-hint'}
            spellCheck={false}
          />
        </Field>
        <div className="flex gap-3">
          <button type="submit" name="intent" value={DNS_TEMPLATE_SAVE} className="btn-primary">
            Save DNS template
          </button>
          {template.source === 'package' ? (
            <button type="submit" name="intent" value={DNS_TEMPLATE_INHERIT} className="btn-secondary" formNoValidate>
              Use the inherited template
            </button>
          ) : null}
        </div>
      </Form>
      {preview ? (
        <div className="mt-4">
          <h3 className="text-sm font-medium">What {preview.zone} would get</h3>
          <table className="mt-2 w-full text-left text-sm" aria-label={`Records of ${preview.zone}`}>
            <thead>
              <tr>
                <th className="pr-4">Name</th>
                <th className="pr-4">TTL</th>
                <th className="pr-4">Type</th>
                <th>Data</th>
              </tr>
            </thead>
            <tbody className="font-mono">
              {preview.records.map((r) => (
                <tr key={`${r.name} ${r.type} ${r.data}`}>
                  <td className="pr-4">{r.name}</td>
                  <td className="pr-4">{r.ttl}</td>
                  <td className="pr-4">{r.type}</td>
                  <td className="break-all">{r.data}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.skipped.length > 0 ? (
            <p className="mt-2 text-sm text-amber-700">
              Left out for this domain: {preview.skipped.map((s) => `record ${s.index + 1} (${s.reason})`).join('; ')}
            </p>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
