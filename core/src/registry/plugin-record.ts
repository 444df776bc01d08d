/** The kernel's in-memory record of one plugin, and how it is shown. */
import type { DependencyContainer } from 'tsyringe';
import type { KernelCapability, PluginHealth, ServiceRef } from '@hostplane/sdk';
import type { PluginState, PluginStatus } from '../kernel-api.js';
import { NOT_CHECKED } from '../signing/assess.js';
import type { SignatureStatus } from '../signing/plugin-trust.js';
import type { Verification } from '../signing/signature.js';
import type { PluginDatabaseHandle } from '../db/plugin-database.js';
import type { DiscoveredPlugin } from './discover.js';
import type { AnyPlugin } from './load-definition.js';
import type { ContextInput, Registrations } from './plugin-context.js';

/** What a started plugin holds while it runs. */
export interface PluginRuntime {
  container: DependencyContainer;
  registrations: Registrations;
  abort: AbortController;
  input: ContextInput;
  deps: Record<string, ServiceRef<unknown>> | undefined;
  /** Its own pool, logged in as its own role; closed when it stops. */
  database: PluginDatabaseHandle | undefined;
}

/** A failure or the last handler error. */
export interface PluginError {
  phase: string;
  message: string;
  at: string;
}

/** One plugin as the kernel tracks it. */
export interface PluginRecord {
  discovered: DiscoveredPlugin;
  /** Set for plugins handed to the kernel as objects (tests, startTestHost). */
  inline?: AnyPlugin;
  /** Loaded on first enable. */
  definition?: AnyPlugin;
  state: PluginState;
  /** The admin's wish, as stored. */
  enabled: boolean;
  /** Config as stored (before defaults). */
  storedConfig: Record<string, unknown>;
  error: PluginError | null;
  /** What the started plugin last reported about itself; reset on each start. */
  health?: PluginHealth | null;
  runtime?: PluginRuntime;
  /** The package's signature as last assessed (boot, enable, start, reconcile). */
  signature?: SignatureStatus;
  /** The package's last verification from disk, and when (ms since epoch). */
  verification?: { result: Verification; at: number };
}

/** Capabilities granted: what the manifest, which an admin can review, declares. */
export function grantedCapabilities(record: PluginRecord): Set<KernelCapability> {
  return new Set(record.discovered.manifest.permissions ?? []);
}

/** The API/CLI view of a record. */
export function toStatus(record: PluginRecord): PluginStatus {
  const { manifest } = record.discovered;
  return {
    id: manifest.id,
    version: manifest.version,
    displayName: manifest.displayName ?? manifest.id,
    description: manifest.description ?? '',
    source: record.discovered.source,
    path: record.discovered.dir,
    state: record.state,
    enabled: record.enabled,
    error: record.error,
    health: record.health ?? null,
    permissions: [...(manifest.permissions ?? [])],
    requires: { ...(manifest.requires ?? {}) },
    provides: [...(manifest.provides ?? [])],
    configSchema: (record.definition ?? record.inline)?.config ?? null,
    signature: record.signature ?? NOT_CHECKED,
  };
}

/** Keep a failure of a started plugin's handler or job as its last error (it stays started). */
export function noteRunningError(record: PluginRecord | undefined, phase: string, error: unknown): void {
  if (record?.state !== 'started') return;
  record.error = { phase, message: error instanceof Error ? error.message : String(error), at: new Date().toISOString() };
}
