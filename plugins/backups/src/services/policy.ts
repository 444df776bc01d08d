/**
 * A package's backup policy (decision 0059): how often its sites are backed up, in which time
 * window they start, and what retention keeps. The package's `backup_*` features win; what it
 * leaves unset (null or absent) comes from the plugin's config. Pure functions of plain data.
 */
import { createHash } from 'node:crypto';
import type { BackupsConfig } from '../config.js';

/** The `backup_*` features of a package as the accounts plugin stores them (all optional). */
export interface PackageBackupFeatures {
  backup_frequency?: 'daily' | 'weekly' | null;
  backup_weekday?: number | null;
  backup_window_from?: number | null;
  backup_window_to?: number | null;
  backup_keep_daily?: number | null;
  backup_keep_weekly?: number | null;
  backup_keep_monthly?: number | null;
}

export interface BackupPolicy {
  frequency: 'daily' | 'weekly';
  /** 0 = Sunday; used by weekly backups only. */
  weekday: number;
  fromHour: number;
  toHour: number;
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
}

export function policyOf(features: PackageBackupFeatures | null | undefined, config: BackupsConfig): BackupPolicy {
  const f = features ?? {};
  return {
    frequency: f.backup_frequency ?? config.frequency,
    weekday: f.backup_weekday ?? config.weekday,
    fromHour: f.backup_window_from ?? config.window.fromHour,
    toHour: f.backup_window_to ?? config.window.toHour,
    keepDaily: f.backup_keep_daily ?? config.retention.keepDaily,
    keepWeekly: f.backup_keep_weekly ?? config.retention.keepWeekly,
    keepMonthly: f.backup_keep_monthly ?? config.retention.keepMonthly,
  };
}

/** A window's opening and close (close exclusive). */
export interface Window {
  start: Date;
  end: Date;
}

/** Hours the window lasts: `to` before `from` spans midnight; equal means the whole day. */
export function windowHours(policy: Pick<BackupPolicy, 'fromHour' | 'toHour'>): number {
  return (policy.toHour - policy.fromHour + 24) % 24 || 24;
}

/**
 * The latest window of the policy that opened at or before `now` (in the server's time zone: a
 * window is "01–05" on the wall clock, whatever the offset), or null when `now` is past its close.
 * Daily windows open every day at `fromHour`; weekly ones only on `weekday`.
 */
export function windowAt(now: Date, policy: BackupPolicy): Window | null {
  const start = new Date(now.getTime());
  start.setHours(policy.fromHour, 0, 0, 0);
  if (start.getTime() > now.getTime()) start.setDate(start.getDate() - 1);
  if (policy.frequency === 'weekly') {
    while (start.getDay() !== policy.weekday) start.setDate(start.getDate() - 1);
  }
  const end = new Date(start.getTime());
  end.setHours(end.getHours() + windowHours(policy));
  return now.getTime() < end.getTime() ? { start, end } : null;
}

/**
 * The minute a site starts inside `window`: spread by a hash of its id over the window's scheduler
 * steps, so sites do not all start at its first minute and each keeps its own minute night after
 * night. Every slot falls on a step, so a scheduler firing every `tickMinutes` meets each one.
 */
export function slotOf(siteId: string, window: Window, tickMinutes: number): Date {
  const steps = Math.max(1, Math.floor((window.end.getTime() - window.start.getTime()) / (tickMinutes * 60_000)));
  const step = createHash('sha256').update(siteId).digest().readUInt32BE(0) % steps;
  return new Date(window.start.getTime() + step * tickMinutes * 60_000);
}

/** The cron of the scheduler's steps. */
export function tickCron(tickMinutes: number): string {
  return tickMinutes >= 60 ? '0 * * * *' : `*/${tickMinutes} * * * *`;
}
