import type { Facts } from '../facts.js';
import type { EffectiveMemoryLimit } from './effective-memory-limit.js';
import type { FdBreakdown } from './fd-usage.js';

/**
 * The collector process's figures as one inspection read them: the `collector` block of the
 * diagnosis without its problems (src/diagnose/collector-report.ts adds those).
 */
export interface CollectorFigures {
  found: boolean;
  pid: number | null;
  open_fds: number | null;
  max_fds: number | null;
  rss_bytes: number | null;
  memory_limit_bytes: number | null;
  oom_kills: number;
  restarts: number;
  /** CPU in percent of one core since the previous round (real /proc only) */
  cpu_percent?: number | null;
}

/** An OOM kill or a restart the watcher saw and still holds (it forgets them after a while). */
export interface CollectorEvent {
  /** epoch ms when it was seen */
  readonly at: number;
  readonly facts: Facts;
}

/** A file the watcher could not read for lack of permission, and what that leaves unknown. */
export interface UnreadableFile {
  readonly what: string;
  readonly code: string;
  readonly lost: string;
}

/**
 * What one inspection of the collector process read: the figures of the diagnosis's collector block
 * and the observations the classifier (src/diagnose/classify-collector.ts) judges. Nothing here is
 * a verdict.
 */
export interface CollectorReadings {
  readonly figures: CollectorFigures;
  /** the facts of the failed search (or of the process exiting mid-read); null when it was found */
  readonly notFound: Facts | null;
  readonly unreadable: readonly UnreadableFile[];
  /** why the memory cgroup cannot be read; null when it can (or nothing was read) */
  readonly cgroupUnavailable: string | null;
  /** the open fds by kind, read only when they come near the limit: undefined when not read, null when unreadable */
  readonly fdBreakdown?: FdBreakdown | null;
  /** the memory limit that bites first; null when none is known */
  readonly memoryLimit: EffectiveMemoryLimit | null;
  /** the OOM kill and the restart seen lately (still held), and the restarts so far */
  readonly oomEvent: CollectorEvent | null;
  readonly restartEvent: CollectorEvent | null;
}
