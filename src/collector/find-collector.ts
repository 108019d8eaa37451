import { readdir, readlink, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { Facts } from '../facts.js';
import { errnoCode, readProcFile } from './read-proc-file.js';
import { parseProcessStat } from './process-stat.js';

/** Names tried when `collector.process.name` is empty: the binaries the collector ships as. */
export const DEFAULT_COLLECTOR_NAMES: readonly string[] = ['otelcol', 'otelcol-contrib', 'otelcol-k8s', 'otelcorecol'];

/** A process as otel-sentinel tracks it: pid plus start time, so a reused pid is a different process. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: number;
  readonly comm: string;
}

/** How `collector.process` asks for the collector; the first key that is set wins. */
export interface ProcessSelector {
  readonly pid: number;
  readonly pidFile: string;
  readonly name: string;
}

export type FindResult =
  | { readonly found: true; readonly identity: ProcessIdentity }
  /** facts for the `collector_not_found` reason: how it was looked for and what was seen instead */
  | { readonly found: false; readonly facts: Facts };

export interface FindOptions {
  readonly procRoot: string;
  /** never matched: otel-sentinel must not report on itself */
  readonly selfPid: number;
  /**
   * the collector config files otel-sentinel reads: of several processes with the collector's
   * name, one started with `--config` naming one of them is the collector whose config this is
   */
  readonly configFiles?: readonly string[];
}

/**
 * Finds the collector process. Never throws. Works with any pid (the collector is PID 1 only when
 * otel-sentinel runs inside its container; in a pod with shareProcessNamespace it is some other pid,
 * on a host any pid). Matching by name scans every visible process, so callers run it only when
 * the identity they hold stops being valid (see `isAlive`).
 */
export async function findCollector(sel: ProcessSelector, opts: FindOptions): Promise<FindResult> {
  if (sel.pid > 0) return byPid(sel.pid, 'pid', opts, {});
  if (sel.pidFile !== '') return byPidFile(sel.pidFile, opts);
  return byName(sel.name === '' ? DEFAULT_COLLECTOR_NAMES : [sel.name], opts);
}

/** Reads the identity of one pid; null when the process is gone, a zombie, or unreadable. */
export async function readIdentity(procRoot: string, pid: number): Promise<ProcessIdentity | null> {
  const r = await readProcFile(join(procRoot, String(pid), 'stat'), 4096);
  if (!r.ok) return null;
  const st = parseProcessStat(r.text);
  // a zombie has exited: its fds and memory are gone, only its parent has not reaped it yet
  if (!st || st.state === 'Z' || st.state === 'X') return null;
  return { pid, startTicks: st.startTicks, comm: st.comm };
}

/** True while the process held in `id` still runs (same pid, same start time). */
export async function isAlive(procRoot: string, id: ProcessIdentity): Promise<boolean> {
  const now = await readIdentity(procRoot, id.pid);
  return now !== null && now.startTicks === id.startTicks;
}

async function byPid(pid: number, mode: 'pid' | 'pid_file', opts: FindOptions, extra: Facts): Promise<FindResult> {
  if (pid === opts.selfPid) {
    return { found: false, facts: { ...extra, mode, pid, detail: `pid ${pid} is otel-sentinel itself, not the collector` } };
  }
  const id = await readIdentity(opts.procRoot, pid);
  if (id) return { found: true, identity: id };
  return { found: false, facts: { ...extra, mode, pid, detail: `no process with pid ${pid} is running` } };
}

async function byPidFile(file: string, opts: FindOptions): Promise<FindResult> {
  const r = await readProcFile(file, 256);
  if (!r.ok) {
    return { found: false, facts: { mode: 'pid_file', pidFile: file, detail: `the pid file cannot be read (${r.code})` } };
  }
  const text = r.text.trim();
  if (!/^\d{1,10}$/.test(text) || Number(text) <= 0) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    return { found: false, facts: { mode: 'pid_file', pidFile: file, detail: `the pid file does not hold a pid (it holds "${shown}")` } };
  }
  const pid = Number(text);
  const res = await byPid(pid, 'pid_file', opts, { pidFile: file });
  if (res.found) return res;
  const stale = pid === opts.selfPid ? '' : ' (a stale pid file: the collector exited without removing it, or is still starting)';
  return { found: false, facts: { ...res.facts, detail: `the pid file holds ${pid}, but ${String(res.facts['detail'])}${stale}` } };
}

async function byName(names: readonly string[], opts: FindOptions): Promise<FindResult> {
  let entries: string[];
  try {
    entries = await readdir(opts.procRoot);
  } catch (err) {
    return { found: false, facts: { mode: 'name', names: names.join(', '), detail: `${opts.procRoot} cannot be listed (${errnoCode(err)})`, visible: 0 } };
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => p !== opts.selfPid);
  // comm is cut to 15 bytes by the kernel, so a longer name matches on its first 15
  const wanted = new Set(names.flatMap((n) => [n, n.slice(0, 15)]));
  const matches: ProcessIdentity[] = [];
  const BATCH = 32;
  for (let i = 0; i < pids.length; i += BATCH) {
    const batch = pids.slice(i, i + BATCH);
    const found = await Promise.all(batch.map((pid) => matchByName(opts.procRoot, pid, names, wanted)));
    for (const m of found) if (m) matches.push(m);
  }
  if (matches.length === 0) {
    return { found: false, facts: { mode: 'name', names: names.join(', '), visible: pids.length, detail: `no process named ${names.join(' or ')} among the ${pids.length} other processes visible in ${opts.procRoot}` } };
  }
  // several collectors on one host: the one started with the config otel-sentinel reads; else (or
  // among several of those) the oldest, the long-running one, which stays the same choice
  matches.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  if (matches.length > 1 && opts.configFiles && opts.configFiles.length > 0) {
    const ours = await fileKeys(opts.configFiles);
    for (const m of matches) if (await startedWith(opts.procRoot, m.pid, ours)) return { found: true, identity: m };
  }
  return { found: true, identity: matches[0]! };
}

interface FileKeys {
  /** absolute paths as otel-sentinel names them */
  readonly paths: ReadonlySet<string>;
  /** device and inode of each that exists: the same file under another path (another mount of one volume) */
  readonly inodes: ReadonlySet<string>;
}

async function fileKeys(files: readonly string[]): Promise<FileKeys> {
  const paths = new Set(files.map((f) => resolve(f)));
  const inodes = new Set<string>();
  for (const f of paths) {
    const st = await stat(f).catch(() => null);
    if (st) inodes.add(`${st.dev}:${st.ino}`);
  }
  return { paths, inodes };
}

/**
 * Whether a process's command line gives `--config` a file that is one of `ours`: the same
 * absolute path, or the same file seen through the process's own root (`/proc/PID/root`, so a
 * container's mount of the volume otel-sentinel also mounts counts). A relative path is the
 * process's working directory's; `env:`, `yaml:`, `http:` and other non-file URIs never match.
 */
async function startedWith(procRoot: string, pid: number, ours: FileKeys): Promise<boolean> {
  const cmd = await readProcFile(join(procRoot, String(pid), 'cmdline'), 64 * 1024);
  if (!cmd.ok) return false;
  const given = collectorConfigPaths(cmd.text.split('\0'));
  if (given.length === 0) return false;
  let cwd: string | null = null;
  for (const path of given) {
    let abs = path;
    if (!isAbsolute(path)) {
      cwd ??= await readlink(join(procRoot, String(pid), 'cwd')).catch(() => '');
      if (cwd === '') continue;
      abs = resolve(cwd, path);
    }
    if (ours.paths.has(abs)) return true;
    const st = await stat(join(procRoot, String(pid), 'root', abs)).catch(() => null);
    if (st && ours.inodes.has(`${st.dev}:${st.ino}`)) return true;
  }
  return false;
}

/**
 * The files a collector's argv names with `--config` (`--config PATH`, `--config=PATH`, either
 * with the `file:` scheme), as written; URIs of other providers (`env:`, `yaml:`, `http(s):`) are
 * left out.
 */
export function collectorConfigPaths(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    let value: string | undefined;
    if (a === '--config') value = argv[++i];
    else if (a.startsWith('--config=')) value = a.slice('--config='.length);
    if (value === undefined || value === '') continue;
    if (value.startsWith('file:')) value = value.slice('file:'.length);
    else if (/^[a-z][a-z0-9+.-]*:/i.test(value)) continue;
    if (value !== '') out.push(value);
  }
  return out;
}

async function matchByName(procRoot: string, pid: number, names: readonly string[], wanted: ReadonlySet<string>): Promise<ProcessIdentity | null> {
  const comm = await readProcFile(join(procRoot, String(pid), 'comm'), 256);
  let hit = comm.ok && wanted.has(comm.text.replace(/\n$/, ''));
  if (!hit) {
    const cmd = await readProcFile(join(procRoot, String(pid), 'cmdline'), 4096);
    if (cmd.ok) {
      const argv0 = cmd.text.split('\0')[0] ?? '';
      hit = argv0 !== '' && names.includes(basename(argv0));
    }
  }
  return hit ? readIdentity(procRoot, pid) : null;
}
