/**
 * restic's `--json` lines, turned into what a job shows: percent, bytes, files, time left.
 * Pure functions, tested alone.
 */

/** A `status` line of `restic backup --json`. */
export interface ResticStatus {
  percent: number;
  bytesDone: number;
  totalBytes: number;
  filesDone: number;
  totalFiles: number;
  /** Seconds left as restic estimates them; null before it knows. */
  secondsRemaining: number | null;
  secondsElapsed: number;
}

/** The `summary` line: what the finished snapshot holds and added. */
export interface ResticSummary {
  snapshotId: string;
  totalBytes: number;
  dataAdded: number;
  totalFiles: number;
  filesNew: number;
  filesChanged: number;
  durationSeconds: number;
}

export type ResticLine = { kind: 'status'; status: ResticStatus } | { kind: 'summary'; summary: ResticSummary };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** One stdout line, or null for anything that is not a status or summary (verbose lines, noise). */
export function parseResticLine(line: string): ResticLine | null {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return null;
    o = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  if (o.message_type === 'status') {
    return {
      kind: 'status',
      status: {
        percent: Math.min(1, num(o.percent_done)),
        bytesDone: num(o.bytes_done),
        totalBytes: num(o.total_bytes),
        filesDone: num(o.files_done),
        totalFiles: num(o.total_files),
        secondsRemaining: typeof o.seconds_remaining === 'number' ? o.seconds_remaining : null,
        secondsElapsed: num(o.seconds_elapsed),
      },
    };
  }
  if (o.message_type === 'summary' && typeof o.snapshot_id === 'string') {
    return {
      kind: 'summary',
      summary: {
        snapshotId: o.snapshot_id,
        totalBytes: num(o.total_bytes_processed),
        dataAdded: num(o.data_added),
        totalFiles: num(o.total_files_processed),
        filesNew: num(o.files_new),
        filesChanged: num(o.files_changed),
        durationSeconds: num(o.total_duration),
      },
    };
  }
  return null;
}

/** Progress as stored with a backup and shown by the API and the panel. */
export interface BackupProgress {
  percent: number;
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  etaSeconds: number | null;
}

/**
 * Progress of a running backup. restic counts bytes as done once read, then may still be
 * uploading them: a running backup shows at most 99.9 %, 100 % comes with the summary.
 */
export function progressOf(s: ResticStatus): BackupProgress {
  return {
    percent: Math.min(99.9, Math.round(s.percent * 1000) / 10),
    bytesDone: s.bytesDone,
    bytesTotal: s.totalBytes,
    filesDone: s.filesDone,
    filesTotal: s.totalFiles,
    etaSeconds: s.secondsRemaining,
  };
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The job's progress message: `42.0% · 1.2 MiB of 3.0 MiB · 120 of 300 files · 5 s left`. */
export function progressMessage(p: BackupProgress): string {
  const parts = [
    `${p.percent.toFixed(1)}%`,
    `${bytes(p.bytesDone)} of ${bytes(p.bytesTotal)}`,
    `${p.filesDone} of ${p.filesTotal} files`,
  ];
  if (p.etaSeconds !== null) parts.push(`${p.etaSeconds} s left`);
  return parts.join(' · ');
}
