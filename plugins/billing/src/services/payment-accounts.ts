/**
 * Which payment account an issuer's money goes to (docs/decisions/0017, 0037): the platform's
 * is the gateway plugin's own config (an empty `secrets` here); a reseller's keys are billing's
 * sealed secrets `payment-account:<gateway>:<issuer>`, handed to the gateway on each call and
 * never logged.
 */
import type { PaymentAccount, SecretsService } from '@hostplane/sdk';

export const PLATFORM_ISSUER = 'platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GATEWAY = /^[a-z][a-z0-9-]{0,39}$/;

/** The issuer's account at a gateway, as every call to a gateway needs it. */
export type AccountFor = (gateway: string, issuer: string) => Promise<PaymentAccount>;

/** Without a store of resellers' keys: every issuer's calls use the gateway's own config. */
export const gatewayConfigAccount: AccountFor = async (_gateway, issuer) => ({ issuerId: issuer, secrets: {} });

/** `platform` or a reseller's user id. */
export const isIssuerId = (value: string): boolean => value === PLATFORM_ISSUER || UUID.test(value);

export class PaymentAccounts {
  constructor(private readonly secrets: SecretsService) {}

  private name(gateway: string, issuer: string): string {
    if (!GATEWAY.test(gateway) || !isIssuerId(issuer)) throw new Error(`invalid payment account ${gateway}/${issuer}`);
    return `payment-account:${gateway}:${issuer}`;
  }

  async get(gateway: string, issuer: string): Promise<PaymentAccount> {
    if (issuer === PLATFORM_ISSUER) return { issuerId: issuer, secrets: {} };
    const raw = await this.secrets.get(this.name(gateway, issuer));
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    const secrets: Record<string, string> = {};
    if (parsed && typeof parsed === 'object')
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') secrets[k] = v;
    return { issuerId: issuer, secrets };
  }

  /** Store (or, with an empty object, remove) a reseller's keys for one gateway. */
  async set(gateway: string, issuer: string, secrets: Record<string, string>): Promise<void> {
    if (issuer === PLATFORM_ISSUER) throw new Error("the platform's keys are the gateway plugin's config");
    const name = this.name(gateway, issuer);
    if (Object.keys(secrets).length === 0) await this.secrets.delete(name);
    else await this.secrets.set(name, JSON.stringify(secrets));
  }

  /** Gateway keys are present for this reseller (names only). */
  async names(gateway: string, issuer: string): Promise<string[]> {
    return Object.keys((await this.get(gateway, issuer)).secrets).sort();
  }
}
