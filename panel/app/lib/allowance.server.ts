/**
 * What the signed-in user may create right now, read from the API, so pages offer only that and
 * say why not (and whom to ask) otherwise.
 */
import type { Api } from './api.server';
import type { List, Me, Provider, Subscription } from './types';

/** Whether websites can be created (some active subscription to count them against). */
export interface WebsiteAllowance {
  canCreate: boolean;
  /** Set when `canCreate` is false only because no package is there yet. */
  provider: Provider | null;
  noPackage: boolean;
}

async function providerOf(api: Api): Promise<Provider | null> {
  const res = await api.get<{ provider: Provider | null }>('/provider');
  return res.ok ? res.data.provider : null;
}

export async function websiteAllowance(api: Api, me: Me): Promise<WebsiteAllowance> {
  if (!me.permissions.includes('websites.site.write')) return { canCreate: false, provider: null, noPackage: false };
  const subs = await api.get<List<Subscription>>('/subscriptions?status=active&limit=1');
  if (!subs.ok || (subs.data.total ?? subs.data.items.length) > 0) return { canCreate: true, provider: null, noPackage: false };
  return { canCreate: false, provider: await providerOf(api), noPackage: true };
}

/**
 * A reseller builds packages within a package it subscribes to itself (its allowance); without
 * one every package it tries is refused, so the panel says so first.
 */
export async function resellerAllowance(api: Api, me: Me): Promise<{ has: boolean; provider: Provider | null }> {
  if (me.user.role !== 'reseller') return { has: true, provider: null };
  const own = await api.get<List<Subscription>>(`/subscriptions?customerId=${me.user.id}&status=active&limit=1`);
  if (!own.ok || own.data.items.length > 0) return { has: true, provider: null };
  return { has: false, provider: await providerOf(api) };
}
