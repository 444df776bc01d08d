/**
 * The one layout every templated mail is wrapped in: the issuer's logo (or name) in its colour on
 * top, the template's blocks, the issuer's name as sign-off. HTML and text come from the same
 * blocks, so they carry the same content; every value is escaped in the HTML, and only http(s)
 * URLs become links (a `javascript:` URL in a variable stays inert text).
 */
import type { MailBlock, MailBrand } from '@hostplane/sdk';

export const DEFAULT_COLOR = '#1d4ed8';
const COLOR = /^#[0-9a-f]{6}$/i;
// Data URLs only for raster images: an SVG can carry script.
const LOGO = /^(https:\/\/[^\s"'<>]+|data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+)$/;
const MAX_LOGO_URL = 512 * 1024;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A colour the layout may put in a style attribute, else the default. */
export function safeColor(color: unknown): string {
  return typeof color === 'string' && COLOR.test(color) ? color.toLowerCase() : DEFAULT_COLOR;
}

/** A logo URL the layout may put in `src`, else null. */
export function safeLogoUrl(url: unknown): string | null {
  return typeof url === 'string' && url.length <= MAX_LOGO_URL && LOGO.test(url) ? url : null;
}

function isLinkable(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

export function blockText(block: MailBlock): string {
  if (typeof block === 'string') return block;
  if ('action' in block) return `${block.action.label}:\n${block.action.url}`;
  return block.facts.map(([label, value]) => `${label}: ${value}`).join('\n');
}

function blockHtml(block: MailBlock, color: string): string {
  const p = 'margin:0 0 16px;line-height:1.5';
  if (typeof block === 'string') return `<p style="${p}">${escapeHtml(block).replace(/\n/g, '<br>')}</p>`;
  if ('action' in block) {
    const { label, url } = block.action;
    if (!isLinkable(url)) return `<p style="${p}">${escapeHtml(label)}: ${escapeHtml(url)}</p>`;
    const href = escapeHtml(url);
    return (
      `<p style="${p}"><a href="${href}" style="display:inline-block;padding:10px 18px;border-radius:4px;` +
      `background:${color};color:#ffffff;text-decoration:none;font-weight:bold">${escapeHtml(label)}</a></p>` +
      `<p style="${p};font-size:13px;color:#555555">${escapeHtml(url)}</p>`
    );
  }
  const rows = block.facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:4px 16px 4px 0;font-weight:normal;color:#555555">${escapeHtml(label)}</th>` +
        `<td style="padding:4px 0;font-weight:bold">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return `<table role="presentation" style="margin:0 0 16px;border-collapse:collapse">${rows}</table>`;
}

/** The text body: blocks, then the sign-off. */
export function layoutText(blocks: MailBlock[], brand: MailBrand): string {
  return `${[...blocks.map(blockText), `-- \n${brand.name}`].join('\n\n')}\n`;
}

/** The HTML document: header, blocks, sign-off; inline styles only (mail clients drop <style>). */
export function layoutHtml(subject: string, blocks: MailBlock[], brand: MailBrand): string {
  const color = safeColor(brand.color);
  const logo = safeLogoUrl(brand.logoUrl);
  const name = escapeHtml(brand.name);
  const header = logo
    ? `<img src="${escapeHtml(logo)}" alt="${name}" style="max-height:48px;max-width:240px">`
    : `<span style="font-size:20px;font-weight:bold;color:${color}">${name}</span>`;
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>` +
    '<body style="margin:0;padding:0;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#18181b">' +
    '<table role="presentation" width="100%" style="border-collapse:collapse"><tr><td align="center" style="padding:24px 12px">' +
    '<table role="presentation" width="100%" style="max-width:600px;border-collapse:collapse;background:#ffffff">' +
    `<tr><td style="padding:20px 24px;border-top:4px solid ${color}">${header}</td></tr>` +
    `<tr><td style="padding:8px 24px 8px;font-size:15px">${blocks.map((b) => blockHtml(b, color)).join('')}</td></tr>` +
    `<tr><td style="padding:16px 24px;border-top:1px solid #e4e4e7;font-size:13px;color:#555555">${name}</td></tr>` +
    '</table></td></tr></table></body></html>'
  );
}
