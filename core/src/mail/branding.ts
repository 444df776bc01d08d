/**
 * Which brand a mail carries. The issuer is `platform` or a reseller's user id (billing's issuers);
 * without one, the recipient's nearest reseller above it in the users tree, or the platform.
 * Defaults (the reseller's account name, the platform's name) are overlaid with what a
 * `mail-branding` source (billing's issuer settings) answers, each field checked.
 */
import type { MailBrand, MailBranding, MailBrandOverrides } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { MailerErrors } from '../services/errors.js';
import { normaliseEmail } from '../services/email-address.js';
import { isUuid } from '../services/validation.js';
import { DEFAULT_COLOR, safeColor, safeLogoUrl } from './layout.js';

/** The platform's name when no branding source names it. */
export const PLATFORM_NAME = 'Hostplane';

export interface BrandingDeps {
  knex: Knex;
  /** Started `mail-branding` implementations, looked up at each use. */
  sources: () => MailBranding[];
}

export async function resolveBrand(deps: BrandingDeps, from: { issuer?: string; recipientId?: string } = {}): Promise<MailBrand> {
  const issuer =
    from.issuer ?? (from.recipientId !== undefined ? await issuerOfRecipient(deps.knex, from.recipientId) : 'platform');
  let name = PLATFORM_NAME;
  if (issuer !== 'platform') {
    if (!isUuid(issuer)) throw MailerErrors.issuerInvalid();
    const reseller = await deps.knex('hostplane.users').where({ id: issuer, role: 'reseller' }).first('name', 'email');
    if (!reseller) throw MailerErrors.issuerInvalid();
    name = oneLine(reseller.name, 200) ?? PLATFORM_NAME;
  }
  const brand: MailBrand = { issuer, name, logoUrl: null, color: DEFAULT_COLOR, replyTo: null };
  for (const source of deps.sources()) {
    const overrides = await source.brandOf(issuer);
    if (overrides) return overlay(brand, overrides);
  }
  return brand;
}

async function issuerOfRecipient(knex: Knex, recipientId: string): Promise<string> {
  if (!isUuid(recipientId)) return 'platform';
  const row = await knex('hostplane.user_tree as t')
    .join('hostplane.users as u', 'u.id', 't.ancestor_id')
    .where('t.user_id', recipientId)
    .andWhere('t.depth', '>', 0)
    .andWhere('u.role', 'reseller')
    .orderBy('t.depth', 'asc')
    .first('u.id');
  return (row?.id as string | undefined) ?? 'platform';
}

function overlay(brand: MailBrand, overrides: MailBrandOverrides): MailBrand {
  return {
    issuer: brand.issuer,
    name: oneLine(overrides.name, 200) ?? brand.name,
    logoUrl: overrides.logoUrl === undefined ? brand.logoUrl : safeLogoUrl(overrides.logoUrl),
    color: overrides.color === undefined ? brand.color : safeColor(overrides.color),
    replyTo: (typeof overrides.replyTo === 'string' ? normaliseEmail(overrides.replyTo) : undefined) ?? brand.replyTo,
  };
}

function oneLine(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const line = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line === '' ? undefined : line.slice(0, max);
}
