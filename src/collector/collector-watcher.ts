import { readCpuPercent, warmCpuUsage } from './cpu-usage.js';
import type { CollectorModel } from '../config/collector-model.js';
import type { SentinelConfig } from '../config/sentinel-config.js';
import type { Facts } from '../facts.js';
import type { CollectorEvent, CollectorReadings, UnreadableFile } from './collector-report.js';
import { findCollector, isAlive, type ProcessIdentity } from './find-collector.js';
import { readProcessEnvironment } from './process-environment.js';
import { classifyFds, countFds, fdsNearLimit, isProcfs, readNofileLimit } from './fd-usage.js';
import { readMemTotal, readRss } from './memory-usage.js';
import { readCgroupMemory, resolveMemoryCgroup, type CgroupResolution } from './cgroup-memory.js';
import { effectiveMemoryLimit } from './effective-memory-limit.js';
import { isPermissionCode } from './read-proc-file.js';

export interface CollectorWatcherOptions {
  /** procfs root; '/proc' in production, a temp dir in tests */
  readonly procRoot?: string;
  /** sysfs root; cgroupfs is looked for at <sysRoot>/fs/cgroup unless mountinfo says otherwise */
  readonly sysRoot?: string;
  /** wall clock in ms */
  readonly now?: () => number;
  /** our own pid, never taken for the collector */
  readonly selfPid?: number;
  /** how long an OOM kill or a restart stays reported after it was seen (default 10 minutes) */
  readonly holdMs?: number;
}

/** The collector process for config resolution: its pid and, when readable and wanted, its environment. */
export interface LocatedCollector {
  readonly pid: number;
  /** null when `collector.use_process_environment` is off or /proc/PID/environ cannot be read */
  readonly env: Readonly<Record<string, string>> | null;
}

/**
 * Watches one collector process across rounds.
 *
 * Lifecycle: create one per daemon (it holds the state that makes restarts and OOM kills countable:
 * the process identity, OOM counter baselines, recent events); call `locate()` whenever the
 * collector's config is (re)read, and `read()` once per round (src/diagnose/judge.ts judges it). A reload passes the new config to
 * the next call: no restart of the watcher is needed. Neither method ever throws; a collector that
 * exits mid-read yields `found: false` or partial figures. Counters only grow for the watcher's
 * lifetime ("seen since the daemon started").
 */
export interface CollectorWatcher {
  locate(config: SentinelConfig): Promise<LocatedCollector | null>;
  /** what one inspection reads (src/diagnose/classify-collector.ts judges it) */
  read(config: SentinelConfig, model: CollectorModel | null, signal: AbortSignal): Promise<CollectorReadings>;
}

/** The readings of an inspection that read nothing (none asked for): nothing found, nothing seen. */
export const NOTHING_READ: CollectorReadings = Object.freeze({
  figures: Object.freeze({ found: false, pid: null, open_fds: null, max_fds: null, rss_bytes: null, memory_limit_bytes: null, oom_kills: 0, restarts: 0 }),
  notFound: null,
  unreadable: [],
  cgroupUnavailable: null,
  memoryLimit: null,
  oomEvent: null,
  restartEvent: null,
});

/** A restart right after RSS was this close to the cgroup limit is taken for an OOM kill. */
const INFERRED_OOM_RATIO = 0.9;

type HeldEvent = CollectorEvent;

/** The readings of one inspection while they are gathered. */
type Readings = { -readonly [K in keyof CollectorReadings]: CollectorReadings[K] } & { unreadable: UnreadableFile[] };

interface ProcessState {
  readonly id: ProcessIdentity;
  cgroup: CgroupResolution | null;
  envCode: string | null;
  lastRss: number | null;
  lastCgroupLimit: number | null;
}

export function createCollectorWatcher(opts: CollectorWatcherOptions = {}): CollectorWatcher {
  const procRoot = opts.procRoot ?? '/proc';
  const sysRoot = opts.sysRoot ?? '/sys';
  const now = opts.now ?? Date.now;
  const selfPid = opts.selfPid ?? process.pid;
  const holdMs = opts.holdMs ?? 10 * 60 * 1000;
  // pidusage's one-time setup, off the first round's path (see warmCpuUsage)
  if (procRoot === '/proc') void warmCpuUsage();

  let current: ProcessState | null = null;
  /** the last process seen, kept while the collector is gone so that its return counts as a restart */
  let previous: ProcessState | null = null;
  let restarts = 0;
  let oomKills = 0;
  let oomEvent: HeldEvent | null = null;
  let restartEvent: HeldEvent | null = null;
  /** oom_kill counter per cgroup directory: only the current process's (and, briefly, the previous one's) */
  let oomBaseline = new Map<string, number>();
  let procfs: Promise<boolean> | null = null;

  type Refresh = { state: ProcessState; restarted: ProcessState | null } | { state: null; facts: Facts };

  let selectorKey = '';
  /** the refresh in progress: `locate()` (on a reload) and `inspect()` (each round) take turns */
  let refreshing: Promise<unknown> = Promise.resolve();

  /**
   * One refresh at a time: two of them noticing the same exit at once would both find the new
   * process and count its one restart twice.
   */
  function refresh(config: SentinelConfig): Promise<Refresh> {
    const next = refreshing.then(() => refreshNow(config));
    refreshing = next.catch(() => undefined);
    return next;
  }

  async function refreshNow(config: SentinelConfig): Promise<Refresh> {
    const sel = config.collector.process;
    const key = `${sel.pid}\0${sel.pidFile}\0${sel.name}\0${config.collector.configFiles.join('\0')}`;
    if (key !== selectorKey) {
      // a reload that points at another process: a new subject, not a restart
      selectorKey = key;
      current = null;
      previous = null;
    }
    if (current && (await isAlive(procRoot, current.id))) return { state: current, restarted: null };
    if (current) previous = current;
    current = null;
    const found = await findCollector(config.collector.process, { procRoot, selfPid, configFiles: config.collector.configFiles });
    if (!found.found) return { state: null, facts: found.facts };
    current = { id: found.identity, cgroup: null, envCode: null, lastRss: null, lastCgroupLimit: null };
    const old = previous;
    if (old && (old.id.pid !== found.identity.pid || old.id.startTicks !== found.identity.startTicks)) {
      restarts++;
      restartEvent = { at: now(), facts: { oldPid: old.id.pid, newPid: found.identity.pid } };
      // counted: the old process is done with, whatever is seen next
      previous = null;
      return { state: current, restarted: old };
    }
    return { state: current, restarted: null };
  }

  async function locate(config: SentinelConfig): Promise<LocatedCollector | null> {
    try {
      const r = await refresh(config);
      if (!r.state) return null;
      if (r.restarted) await afterRestart(r.state, r.restarted);
      if (!config.collector.useProcessEnvironment) return { pid: r.state.id.pid, env: null };
      const env = await readProcessEnvironment(procRoot, r.state.id.pid);
      r.state.envCode = env.ok ? null : env.code;
      return { pid: r.state.id.pid, env: env.ok ? env.env : null };
    } catch {
      return null; // unreachable by design; a watcher must never take the daemon down
    }
  }

  /** Looks for evidence that the process that just went away was OOM-killed. */
  async function afterRestart(state: ProcessState, old: ProcessState): Promise<void> {
    const at = now();
    const restartFacts = { oldPid: old.id.pid, newPid: state.id.pid, at: new Date(at).toISOString() };
    // the old cgroup (a container's, removed soon after it died) may still be readable
    if (old.cgroup?.ok) {
      const before = oomBaseline.get(old.cgroup.cgroup.dir);
      const reading = await readCgroupMemory(old.cgroup.cgroup);
      if (before !== undefined && reading.oomKills !== null && reading.oomKills > before) {
        const count = reading.oomKills - before;
        oomKills += count;
        oomBaseline.set(old.cgroup.cgroup.dir, reading.oomKills);
        oomEvent = { at, facts: { ...restartFacts, how: 'counter', count, cgroup: old.cgroup.cgroup.path, limit: old.lastCgroupLimit } };
        return;
      }
    }
    // no counter to go by: a restart right at the cgroup limit is taken for an OOM kill
    const countersVisible = old.cgroup?.ok === true && oomBaseline.has(old.cgroup.cgroup.dir);
    if (!countersVisible && old.lastRss !== null && old.lastCgroupLimit !== null && old.lastRss >= INFERRED_OOM_RATIO * old.lastCgroupLimit) {
      oomKills++;
      oomEvent = { at, facts: { ...restartFacts, how: 'inferred', rss: old.lastRss, limit: old.lastCgroupLimit } };
    }
  }

  async function read(config: SentinelConfig, model: CollectorModel | null, signal: AbortSignal): Promise<CollectorReadings> {
    const readings: Readings = {
      figures: { found: false, pid: null, open_fds: null, max_fds: null, rss_bytes: null, memory_limit_bytes: null, oom_kills: oomKills, restarts },
      notFound: null, unreadable: [], cgroupUnavailable: null, memoryLimit: null, oomEvent: null, restartEvent: null,
    };
    try {
      await readInto(readings, config, model, signal);
    } catch {
      // unreachable by design (every read returns its errno); keep whatever was gathered
    }
    readings.figures.oom_kills = oomKills;
    readings.figures.restarts = restarts;
    const t = now();
    if (!oomEvent || t - oomEvent.at >= holdMs) oomEvent = null;
    if (!restartEvent || t - restartEvent.at >= holdMs) restartEvent = null;
    readings.oomEvent = oomEvent;
    readings.restartEvent = restartEvent;
    return readings;
  }

  async function readInto(readings: Readings, config: SentinelConfig, model: CollectorModel | null, signal: AbortSignal): Promise<void> {
    const report = readings.figures;
    const r = await refresh(config);
    if (!r.state) {
      readings.notFound = r.facts;
      return;
    }
    const state = r.state;
    if (r.restarted) await afterRestart(state, r.restarted);
    const pid = state.id.pid;
    report.found = true;
    report.pid = pid;
    if (signal.aborted) return;

    procfs ??= isProcfs(procRoot);
    if (!state.cgroup || !state.cgroup.ok) state.cgroup = await resolveMemoryCgroup(procRoot, sysRoot, pid);
    const cg = state.cgroup;
    const [fds, limits, rss, host, cgMem, cpu] = await Promise.all([
      countFds(procRoot, pid, await procfs),
      readNofileLimit(procRoot, pid),
      readRss(procRoot, pid),
      readMemTotal(procRoot),
      cg.ok ? readCgroupMemory(cg.cgroup) : Promise.resolve(null),
      procRoot === '/proc' ? readCpuPercent(pid) : Promise.resolve(null),
    ]);
    // everything failing with "gone" means the process exited while we read it
    if (!(await isAlive(procRoot, state.id))) {
      report.found = false;
      readings.notFound = { mode: modeOf(config), pid, pidFile: config.collector.process.pidFile, detail: `the collector (pid ${pid}) exited while it was being inspected` };
      return;
    }

    const unreadable = readings.unreadable;
    if (fds.ok) report.open_fds = fds.open;
    else if (isPermissionCode(fds.code)) unreadable.push({ what: `/proc/${pid}/fd`, code: fds.code, lost: 'open file descriptors' });
    if (limits.ok) report.max_fds = limits.soft;
    else if (isPermissionCode(limits.code)) unreadable.push({ what: `/proc/${pid}/limits`, code: limits.code, lost: 'the open-files limit' });
    report.cpu_percent = cpu;
    if (rss.ok) report.rss_bytes = rss.bytes;
    else if (isPermissionCode(rss.code)) unreadable.push({ what: `/proc/${pid}/status`, code: rss.code, lost: 'resident memory' });
    if (state.envCode !== null && isPermissionCode(state.envCode) && config.collector.useProcessEnvironment) {
      unreadable.push({ what: `/proc/${pid}/environ`, code: state.envCode, lost: "the collector's environment (${env:X} references and HTTP(S)_PROXY/NO_PROXY are resolved from otel-sentinel's own environment instead; a variable it lacks cannot be checked)" });
    }
    if (!cg.ok) readings.cgroupUnavailable = cg.why.detail;

    // the kinds of the open fds, worth reading only when they come near the limit
    if (fdsNearLimit(report.open_fds, report.max_fds, config.thresholds.fdRatio)) {
      readings.fdBreakdown = await classifyFds(procRoot, pid, report.open_fds ?? undefined);
    }

    // the memory limit that bites first
    const cgroupLimit = cgMem?.limitBytes ?? null;
    const limit = effectiveMemoryLimit(cgroupLimit, model?.memoryLimiter ?? null, host.ok ? host.bytes : null);
    report.memory_limit_bytes = limit?.bytes ?? null;
    readings.memoryLimit = limit;
    state.lastRss = report.rss_bytes;
    state.lastCgroupLimit = cgroupLimit;

    // OOM kills: the cgroup's counter rising since we first read it
    if (cg.ok && cgMem && cgMem.oomKills !== null) {
      const dir = cg.cgroup.dir;
      const before = oomBaseline.get(dir);
      if (before !== undefined && cgMem.oomKills > before) {
        const count = cgMem.oomKills - before;
        oomKills += count;
        const restartNow = r.restarted ? { oldPid: r.restarted.id.pid, newPid: pid } : {};
        oomEvent = { at: now(), facts: { ...restartNow, how: 'counter', count, cgroup: cg.cgroup.path, limit: cgroupLimit, at: new Date(now()).toISOString() } };
      }
      // keep only this process's cgroup: nothing accumulates across restarts
      oomBaseline = new Map([[dir, cgMem.oomKills]]);
    }
  }

  return { locate, read };
}

function modeOf(config: SentinelConfig): 'pid' | 'pid_file' | 'name' {
  const p = config.collector.process;
  return p.pid > 0 ? 'pid' : p.pidFile !== '' ? 'pid_file' : 'name';
}
