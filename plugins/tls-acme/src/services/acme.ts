/**
 * One ACME order through `acme-client`: a fresh P-256 key and CSR for the site's names, the
 * HTTP-01 challenges answered by the web server driver, the certificate chain back. The account
 * key is a plugin secret made on first use, one per directory URL.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import type AcmeClient from 'acme-client';
import type { Logger, SecretsService } from '@hostplane/sdk';
import type { TlsAcmeConfig } from '../config.js';

/** One challenge of an order, as a responder sees it. */
export interface ChallengeAnswer {
  /** The name the authorization is for, without `*.` (`example.com` for `*.example.com`). */
  identifier: string;
  wildcard: boolean;
  token: string;
  /** What the CA expects: the key authorization (HTTP-01) or its base64url SHA-256 digest (DNS-01). */
  keyAuthorization: string;
}

/**
 * Answers one type of challenge: HTTP-01 through the web server driver's putChallenge/
 * removeChallenge, DNS-01 through TXT records in the site's zone. `put` resolves once the CA can
 * check the answer.
 */
export interface ChallengeResponder {
  type: 'http-01' | 'dns-01';
  put(challenge: ChallengeAnswer): Promise<void>;
  remove(challenge: ChallengeAnswer): Promise<void>;
}

/** A certificate chain (leaf first) and its private key, both PEM. */
export interface Issued {
  pem: string;
  key: string;
}

/** The CA refused for now (HTTP 429 or 503); `retryAfter` from its Retry-After header, when sent. */
export class AcmeRateLimited extends Error {
  constructor(
    message: string,
    readonly retryAfter: Date | null,
  ) {
    super(message);
    this.name = 'AcmeRateLimited';
  }
}

/** A P-256 private key as PKCS#8 PEM (made synchronously: getOrCreate takes a plain function). */
export function newKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Secret name of the account key for a directory. */
export function accountSecret(directoryUrl: string): string {
  return `account:${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 16)}`;
}

/** What the last throttled answer of the current order said (see installInterceptor). */
interface Throttle {
  retryAfter: Date | null;
  status: number | null;
}
const orderContext = new AsyncLocalStorage<Throttle>();

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: unknown, now: Date): Date | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^[0-9]+$/.test(value.trim())) return new Date(now.getTime() + Number(value.trim()) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}

type AcmeLib = typeof AcmeClient;
let loading: Promise<AcmeLib> | undefined;
/**
 * acme-client (and its axios) is loaded on the first order, not at boot: most starts never
 * order a certificate, and the import alone costs about 150 ms of every start.
 */
function acmeLib(): Promise<AcmeLib> {
  loading ??= import('acme-client').then(({ default: acme }) => {
    installInterceptor(acme);
    return acme;
  });
  return loading;
}

/**
 * acme-client would wait out a 429/5xx inside the request (Retry-After can be hours, holding a
 * worker); with its retries off the order fails at once and the sweep tries again at the CA's
 * Retry-After (durable across restarts). It turns an error answer into a plain Error without
 * its headers, so the order's async context notes 429/503 answers and their Retry-After.
 */
function installInterceptor(acme: AcmeLib): void {
  (acme.axios.defaults as { acmeSettings?: { retryMaxAttempts: number } }).acmeSettings!.retryMaxAttempts = 0;
  const note = (status: number | undefined, headers: Record<string, unknown> | undefined): void => {
    const throttle = orderContext.getStore();
    if (!throttle || (status !== 429 && status !== 503)) return;
    throttle.status = status;
    throttle.retryAfter = parseRetryAfter(headers?.['retry-after'], new Date());
  };
  acme.axios.interceptors.response.use(
    (response) => {
      note(response.status, response.headers as Record<string, unknown>);
      return response;
    },
    (error: { response?: { status?: number; headers?: Record<string, unknown> } }) => {
      note(error.response?.status, error.response?.headers);
      return Promise.reject(error as Error);
    },
  );
}

export interface AcmeIssuerDeps {
  config: () => TlsAcmeConfig;
  secrets: SecretsService;
  logger: Logger;
}

export class AcmeIssuer {
  #agentFor: string | undefined;
  /** Account registration in flight, per directory: a burst of first orders registers once. */
  readonly #registering = new Map<string, Promise<string>>();

  constructor(private readonly deps: AcmeIssuerDeps) {}

  /** Trust the configured directory CA besides the system's (acme-client has one axios instance). */
  private trust(acme: AcmeLib): void {
    const { directoryCa } = this.deps.config();
    if (this.#agentFor === directoryCa) return;
    this.#agentFor = directoryCa;
    acme.axios.defaults.httpsAgent = directoryCa.trim()
      ? new https.Agent({ ca: [...tls.rootCertificates, directoryCa] })
      : undefined;
  }

  /**
   * A client on our account. The account URL is kept beside the key: acme-client would look an
   * existing account up with an empty update, which RFC 8555 CAs (pebble) refuse.
   */
  private async client(acme: AcmeLib): Promise<AcmeClient.Client> {
    this.trust(acme);
    const { directoryUrl, email } = this.deps.config();
    const { secrets } = this.deps;
    const accountKey = await secrets.getOrCreate(accountSecret(directoryUrl), newKey);
    const make = (accountUrl?: string) =>
      new acme.Client({
        directoryUrl,
        accountKey,
        backoffAttempts: 12,
        backoffMin: 250,
        backoffMax: 5000,
        ...(accountUrl ? { accountUrl } : {}),
      });
    const urlSecret = `${accountSecret(directoryUrl)}:url`;
    let accountUrl = await secrets.get(urlSecret);
    if (!accountUrl) {
      let registering = this.#registering.get(directoryUrl);
      if (!registering) {
        registering = (async () => {
          const client = make();
          await client.createAccount({ termsOfServiceAgreed: true, ...(email ? { contact: [`mailto:${email}`] } : {}) });
          const url = client.getAccountUrl();
          await secrets.set(urlSecret, url);
          return url;
        })().finally(() => this.#registering.delete(directoryUrl));
        this.#registering.set(directoryUrl, registering);
      }
      accountUrl = await registering;
    }
    return make(accountUrl);
  }

  /**
   * Order a certificate for `domains` (the first is the subject) and answer its challenges
   * through `responder` (every authorization with the responder's type). Throws
   * {@link AcmeRateLimited} when the CA throttled.
   */
  async issue(domains: string[], responder: ChallengeResponder): Promise<Issued> {
    const throttle: Throttle = { retryAfter: null, status: null };
    return orderContext.run(throttle, async () => {
      try {
        const acme = await acmeLib();
        const client = await this.client(acme);
        const key = newKey();
        const [, csr] = await acme.crypto.createCsr({ commonName: domains[0], altNames: domains }, key);
        const answer = (
          authz: AcmeClient.Authorization,
          challenge: { type: string; token: string },
          keyAuthorization: string,
        ) => {
          if (challenge.type !== responder.type) throw new Error(`challenge ${challenge.type} is not offered by this plugin`);
          return {
            identifier: authz.identifier.value,
            wildcard: authz.wildcard === true,
            token: challenge.token,
            keyAuthorization,
          };
        };
        const pem = await client.auto({
          csr,
          termsOfServiceAgreed: true,
          challengePriority: [responder.type],
          // The CA checks the challenge itself; a self-check from here would ask port 80 of our
          // own names (HTTP-01) or public resolvers (DNS-01). The DNS-01 responder waits until
          // the zone's own server answers before the CA is told.
          skipChallengeVerification: true,
          challengeCreateFn: async (authz, challenge, keyAuthorization) => {
            await responder.put(answer(authz, challenge, keyAuthorization));
          },
          challengeRemoveFn: async (authz, challenge, keyAuthorization) => {
            await responder.remove(answer(authz, challenge, keyAuthorization));
          },
        });
        return { pem, key };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (throttle.status !== null || /rateLimited/i.test(message)) throw new AcmeRateLimited(message, throttle.retryAfter);
        throw err;
      }
    });
  }
}
