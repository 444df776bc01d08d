/**
 * Billing answers the kernel's `mail-branding` questions from its issuers (docs/decisions/0062):
 * the name, reply-to address, logo and colour the issuer set for its invoices brand every templated mail
 * from that issuer, whichever plugin sends it. The logo becomes a data URL when it is a PNG or
 * JPEG of at most 200 KB (larger ones would bloat every mail; mail clients show data URLs of
 * that size).
 */
import type { MailBranding, MailBrandOverrides } from '@hostplane/sdk';
import type { BillingStore } from './store.js';

const MAX_LOGO_BYTES = 200 * 1024;

export function billingMailBranding(store: BillingStore): MailBranding {
  return {
    async brandOf(issuer: string): Promise<MailBrandOverrides | undefined> {
      const row = (await store.db.table('issuers').where({ issuer }).first('name', 'reply_to', 'logo', 'color')) as
        { name: string; reply_to: string | null; logo: Buffer | null; color: string | null } | undefined;
      if (!row) return undefined;
      return {
        name: row.name,
        ...(row.color ? { color: row.color } : {}),
        ...(row.reply_to ? { replyTo: row.reply_to } : {}),
        ...(row.logo ? { logoUrl: logoDataUrl(row.logo) } : {}),
      };
    },
  };
}

/** `data:image/png|jpeg;base64,…` for a small PNG or JPEG (by its signature), else null. */
export function logoDataUrl(bytes: Uint8Array): string | null {
  if (bytes.byteLength > MAX_LOGO_BYTES) return null;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpeg) return null;
  return `data:image/${png ? 'png' : 'jpeg'};base64,${Buffer.from(bytes).toString('base64')}`;
}
