import type { CollectorReadings } from '../collector/collector-report.js';
import { fdsNearLimit } from '../collector/fd-usage.js';
import { problem } from './catalogue.js';
import type { CollectorReport } from './collector-report.js';
import type { Problem } from './problem.js';

export type { CollectorEvent, CollectorReadings, UnreadableFile } from '../collector/collector-report.js';

/** Past this share of the effective limit, memory_near_limit becomes critical. */
const MEMORY_CRITICAL_RATIO = 0.95;

/** The thresholds the collector's readings are judged against (thresholds.fd_ratio, memory_ratio). */
export interface CollectorThresholds {
  readonly fdRatio: number;
  readonly memoryRatio: number;
}

/** Judges one inspection: the collector block of the diagnosis with its problems. */
export function classifyCollector(r: CollectorReadings, thresholds: CollectorThresholds): CollectorReport {
  const f = r.figures;
  const problems: Problem[] = [];
  if (r.notFound) problems.push(problem('collector_not_found', r.notFound));
  else if (f.found && f.pid !== null) problems.push(...processProblems(r, f.pid, thresholds));
  problems.push(...heldProblems(r));
  return { ...f, problems };
}

function processProblems(r: CollectorReadings, pid: number, thresholds: CollectorThresholds): Problem[] {
  const f = r.figures;
  const out: Problem[] = [];
  if (r.unreadable.length > 0) {
    out.push(problem('proc_unreadable', {
      pid,
      what: r.unreadable.map((u) => u.what).join(', '),
      code: [...new Set(r.unreadable.map((u) => u.code))].join(', '),
      lost: r.unreadable.map((u) => u.lost).join('; '),
    }));
  }
  if (r.cgroupUnavailable !== null) out.push(problem('cgroup_unavailable', { pid, detail: r.cgroupUnavailable }));

  // open fds against the soft limit
  if (f.open_fds !== null && f.max_fds !== null && fdsNearLimit(f.open_fds, f.max_fds, thresholds.fdRatio)) {
    const b = r.fdBreakdown ?? null;
    const breakdown = b
      ? `${b.sockets} sockets, ${b.files} files, ${b.pipes} pipes, ${b.other} other${b.sampled < f.open_fds ? ` (estimated from ${b.sampled} sampled fds)` : ''}`
      : 'not readable';
    out.push(problem(f.open_fds >= f.max_fds ? 'fd_exhausted' : 'fd_near_limit', {
      pid, open: f.open_fds, max: f.max_fds, ratio: f.open_fds / f.max_fds, threshold: thresholds.fdRatio, breakdown,
    }));
  }

  // memory against the limit that bites first
  const limit = r.memoryLimit;
  if (limit && f.rss_bytes !== null) {
    const ratio = f.rss_bytes / limit.bytes;
    const threshold = thresholds.memoryRatio;
    if (ratio >= threshold) {
      const severity = ratio >= Math.max(MEMORY_CRITICAL_RATIO, threshold) ? 'critical' : 'warning';
      const limiter = limit.limiter ? { hard: limit.limiter.hardBytes, spike: limit.limiter.spikeBytes } : {};
      out.push(problem('memory_near_limit', { pid, rss: f.rss_bytes, limit: limit.bytes, source: limit.source, ratio, threshold, ...limiter }, severity));
    }
  }
  return out;
}

function heldProblems(r: CollectorReadings): Problem[] {
  const out: Problem[] = [];
  const oom = r.oomEvent;
  const restart = r.restartEvent;
  if (oom) out.push(problem('oom_killed', { at: new Date(oom.at).toISOString(), ...oom.facts }));
  // an OOM kill that explains this very restart already says so
  if (restart && !(oom !== null && oom.facts['newPid'] === restart.facts['newPid'])) {
    out.push(problem('collector_restarted', { at: new Date(restart.at).toISOString(), restarts: r.figures.restarts, ...restart.facts }));
  }
  return out;
}
