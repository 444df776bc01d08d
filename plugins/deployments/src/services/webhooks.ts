/**
 * Push webhooks of GitHub, GitLab and Gitea, checked against the site's secret:
 *
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, `X-GitHub-Event`,
 *   delivery id in `X-GitHub-Delivery`;
 * - Gitea (and Forgejo): `X-Gitea-Signature: <hex HMAC-SHA256>`, `X-Gitea-Event`, `X-Gitea-Delivery`;
 * - GitLab: the secret itself in `X-Gitlab-Token`, `X-Gitlab-Event: Push Hook`, delivery id in
 *   `X-Gitlab-Event-UUID` (or `Idempotency-Key`).
 *
 * Comparisons are constant-time. A signature is checked before the body is parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DeployErrors } from '../errors.js';

export type Provider = 'github' | 'gitea' | 'gitlab';

export interface Push {
  provider: Provider;
  /** The event named by the headers (`push`, `ping`, `Push Hook` …). */
  event: string;
  isPush: boolean;
  /** The branch pushed to, when the ref is a branch. */
  branch: string | null;
  after: string | null;
  deliveryId: string | null;
}

type Headers = Record<string, string | string[] | undefined>;

const one = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function hmacMatches(secret: string, body: Buffer, hex: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Which Git host sent it, checked against `secret`; 401 when unsigned or signed with another secret. */
export function verify(headers: Headers, body: Buffer, secret: string): Provider {
  const github = one(headers, 'x-hub-signature-256');
  const gitea = one(headers, 'x-gitea-signature');
  const gitlab = one(headers, 'x-gitlab-token');
  if (github !== undefined) {
    if (!github.startsWith('sha256=') || !hmacMatches(secret, body, github.slice(7)))
      throw DeployErrors.badSignature('X-Hub-Signature-256 does not match');
    return 'github';
  }
  if (gitea !== undefined) {
    if (!hmacMatches(secret, body, gitea)) throw DeployErrors.badSignature('X-Gitea-Signature does not match');
    return 'gitea';
  }
  if (gitlab !== undefined) {
    if (!sameText(gitlab, secret)) throw DeployErrors.badSignature('X-Gitlab-Token does not match');
    return 'gitlab';
  }
  throw DeployErrors.badSignature('no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header');
}

const DELIVERY = /^[A-Za-z0-9._:-]{1,200}$/;

/** The push a verified delivery describes. */
export function parsePush(provider: Provider, headers: Headers, body: Buffer): Push {
  const event =
    (provider === 'github'
      ? one(headers, 'x-github-event')
      : provider === 'gitea'
        ? (one(headers, 'x-gitea-event') ?? one(headers, 'x-gogs-event'))
        : one(headers, 'x-gitlab-event')) ?? '';
  const rawDelivery =
    provider === 'github'
      ? one(headers, 'x-github-delivery')
      : provider === 'gitea'
        ? one(headers, 'x-gitea-delivery')
        : (one(headers, 'x-gitlab-event-uuid') ?? one(headers, 'idempotency-key'));
  const deliveryId = rawDelivery && DELIVERY.test(rawDelivery) ? `${provider}:${rawDelivery}` : null;
  const isPush = provider === 'gitlab' ? event === 'Push Hook' : event === 'push';
  if (!isPush) return { provider, event, isPush, branch: null, after: null, deliveryId };
  let payload: unknown;
  try {
    // GitHub and Gitea can also send the JSON form-encoded, as `payload=<JSON>` (the signature covers those bytes).
    const text = body.toString('utf8');
    const json = text.startsWith('payload=') ? (new URLSearchParams(text).get('payload') ?? '') : text;
    payload = JSON.parse(json);
  } catch {
    throw DeployErrors.badPayload('the body is not JSON');
  }
  if (typeof payload !== 'object' || payload === null) throw DeployErrors.badPayload('the body is not an object');
  const p = payload as Record<string, unknown>;
  const ref = typeof p.ref === 'string' ? p.ref : null;
  if (!ref) throw DeployErrors.badPayload('no ref');
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
  const after = typeof p.after === 'string' && /^[0-9a-f]{40,64}$/.test(p.after) ? p.after : null;
  return { provider, event, isPush, branch, after, deliveryId };
}
