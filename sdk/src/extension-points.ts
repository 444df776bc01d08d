/**
 * Extension points: places where one plugin accepts implementations from others (the auth
 * provider the host asks, the web server driver, the DNS provider, the payment gateway).
 */
import type { DatabaseServer, SiteDatabases } from './database-server.js';
import type { Authenticator } from './http.js';
import type { PaymentGateway } from './payment-gateway.js';
import type { DnsChallenges } from './dns-challenges.js';
import type { DnsProvider } from './dns-provider.js';
import type { DiskUsageSource } from './disk-usage.js';
import type { SiteCertificates } from './site-certificates.js';
import type { WebServerDriver } from './webserver.js';
import type { MailBranding } from './mail-templates.js';

/** A typed extension point. */
export interface ExtensionPoint<T> {
  /** Name used in a manifest's `provides`. */
  readonly id: string;
  /** Phantom field carrying `T`. */
  readonly $type?: T;
}

/** Create an extension point other plugins can implement with `ctx.extend`. */
export function createExtensionPoint<T>(id: string): ExtensionPoint<T> {
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new TypeError(`extension point "${id}" must be kebab-case`);
  return { id };
}

/** Extension points the platform itself defines. */
export const extensionPoints = {
  /** Turns requests into actors (sessions, API tokens). */
  authenticator: createExtensionPoint<Authenticator>('authenticator'),
  /** Serves websites (NGINX + PHP-FPM in `plugins/webserver-nginx`). */
  webServer: createExtensionPoint<WebServerDriver>('webserver'),
  /** Moves money for invoices (`plugins/payment-manual`, `plugins/payment-stripe`). */
  paymentGateway: createExtensionPoint<PaymentGateway>('payment-gateway'),
  /** Serves DNS zones (PowerDNS in `plugins/dns-powerdns`). */
  dnsProvider: createExtensionPoint<DnsProvider>('dns-provider'),
  /** ACME DNS-01 TXT records in customers' zones (the dns plugin); certificate plugins look it up for wildcards. */
  dnsChallenges: createExtensionPoint<DnsChallenges>('dns-challenges'),
  /** Runs customers' databases (MariaDB in `plugins/databases-mariadb`, PostgreSQL in `plugins/databases-postgresql`). */
  databaseServer: createExtensionPoint<DatabaseServer>('database-server'),
  /** Makes a website's own database (the databases plugin); websites look it up when they need one. */
  siteDatabases: createExtensionPoint<SiteDatabases>('site-databases'),
  /** Certificates websites serve (`plugins/tls-acme`); websites look it up when they build a site's spec. */
  siteCertificates: createExtensionPoint<SiteCertificates>('site-certificates'),
  /** Disk kept for subscriptions beyond their sites' files (`plugins/databases`); the metering plugin counts it against `disk_mb`. */
  diskUsage: createExtensionPoint<DiskUsageSource>('disk-usage'),
  /** Issuers' mail branding (name, logo, colour, reply-to; `plugins/billing`); the mailer asks it for each templated mail. */
  mailBranding: createExtensionPoint<MailBranding>('mail-branding'),
} as const;
