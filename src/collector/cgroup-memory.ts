import { stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { isPermissionCode, readProcFile } from './read-proc-file.js';

/** Where a process's memory cgroup lives, resolved once per process (see `resolveMemoryCgroup`). */
export interface MemoryCgroup {
  readonly version: 1 | 2;
  /** the path as /proc/PID/cgroup shows it */
  readonly path: string;
  /** the directory under the mounted cgroupfs (below sysRoot) */
  readonly dir: string;
  /** the mount point: limits are read from `dir` up to here */
  readonly top: string;
}

/** Why the cgroup cannot be used; `permission` when the kernel refused a read. */
export interface CgroupUnavailable {
  readonly detail: string;
  readonly code: string;
  readonly permission: boolean;
}

export type CgroupResolution = { readonly ok: true; readonly cgroup: MemoryCgroup } | { readonly ok: false; readonly why: CgroupUnavailable };

/** One reading of the cgroup's memory limit (the smallest from `dir` up) and its OOM-kill counter. */
export interface CgroupMemoryReading {
  readonly limitBytes: number | null;
  readonly oomKills: number | null;
}

/** cgroup v1 writes "no limit" as a page-rounded 2^63-1; anything this large means none. */
const V1_UNLIMITED = 2 ** 62;

interface CgroupMount {
  readonly mountPoint: string;
  readonly root: string;
}

/**
 * Finds the memory cgroup directory of a process: /proc/PID/cgroup gives the path (the v1 line
 * whose controllers include `memory`, else the v2 line `0::/path`), and our own
 * /proc/self/mountinfo says where that hierarchy is mounted and which part of it the mount shows
 * (inside a container the mount's root is the container's own cgroup). Without mountinfo (a test's
 * fake root) the usual layout under `sysRoot` is assumed. Never throws.
 */
export async function resolveMemoryCgroup(procRoot: string, sysRoot: string, pid: number): Promise<CgroupResolution> {
  const file = join(procRoot, String(pid), 'cgroup');
  const r = await readProcFile(file, 16 * 1024);
  if (!r.ok) return { ok: false, why: { detail: `${file} cannot be read (${r.code})`, code: r.code, permission: isPermissionCode(r.code) } };
  let v1: string | null = null;
  let v2: string | null = null;
  for (const line of r.text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') v2 = m[3]!;
    else if (m[2]!.split(',').includes('memory')) v1 = m[3]!;
  }
  const version: 1 | 2 | null = v1 !== null ? 1 : v2 !== null ? 2 : null;
  const path = v1 ?? v2;
  if (version === null || path === null) {
    return { ok: false, why: { detail: `${file} names no memory cgroup (no "memory" controller line, no "0::" line)`, code: 'ENOCGROUP', permission: false } };
  }
  // in a cgroup namespace, a process outside ours shows as "/../x": our cgroupfs mount cannot reach it
  if (path.split('/').includes('..')) {
    return { ok: false, why: { detail: `the collector's cgroup ${path} lies outside this container's cgroup namespace, so its memory limit and OOM counter are not visible from here`, code: 'EOUTSIDE', permission: false } };
  }
  const mount = (await readMount(procRoot, version)) ?? defaultMount(sysRoot, version);
  const mountPoint = rerootSys(mount.mountPoint, sysRoot);
  let rel = path;
  if (mount.root !== '/') {
    if (path !== mount.root && !path.startsWith(`${mount.root}/`)) {
      return { ok: false, why: { detail: `the collector's cgroup ${path} is not below the cgroup mount at ${mountPoint} (it shows ${mount.root})`, code: 'EOUTSIDE', permission: false } };
    }
    rel = path.slice(mount.root.length);
  }
  const dir = join(mountPoint, posix.normalize(`/${rel}`));
  try {
    await stat(dir);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'EUNKNOWN';
    return { ok: false, why: { detail: `the collector's cgroup directory ${dir} cannot be opened (${code})`, code, permission: isPermissionCode(code) } };
  }
  return { ok: true, cgroup: { version, path, dir, top: mountPoint } };
}

/**
 * Reads the memory limit in force (the smallest of `dir` and its ancestors: a pod-level limit caps
 * every container in it) and the OOM-kill counter of `dir` itself. A missing file at one level means
 * no limit there (the v2 root cgroup has no memory.max).
 */
export async function readCgroupMemory(cg: MemoryCgroup): Promise<CgroupMemoryReading> {
  const limitFile = cg.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
  let limit: number | null = null;
  for (let dir = cg.dir; ; dir = dirname(dir)) {
    const r = await readProcFile(join(dir, limitFile), 128);
    if (r.ok) {
      const v = parseLimit(r.text);
      if (v !== null && (limit === null || v < limit)) limit = v;
    }
    if (dir === cg.top || dir.length <= cg.top.length || dir === dirname(dir)) break;
  }
  const events = await readProcFile(join(cg.dir, cg.version === 2 ? 'memory.events' : 'memory.oom_control'), 4096);
  return { limitBytes: limit, oomKills: events.ok ? parseOomKills(events.text) : null };
}

function parseLimit(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null; // "max" and anything unreadable: no limit here
  const v = Number(t);
  return v >= V1_UNLIMITED ? null : v;
}

/** The `oom_kill N` line of memory.events (v2) or memory.oom_control (v1, Linux 4.13+). */
export function parseOomKills(text: string): number | null {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

async function readMount(procRoot: string, version: 1 | 2): Promise<CgroupMount | null> {
  const r = await readProcFile(join(procRoot, 'self', 'mountinfo'), 1024 * 1024);
  if (!r.ok) return null;
  for (const line of r.text.split('\n')) {
    // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const fstype = right[0];
    const root = left[3];
    const mountPoint = left[4];
    if (root === undefined || mountPoint === undefined) continue;
    const hit = version === 2 ? fstype === 'cgroup2' : fstype === 'cgroup' && (right[2] ?? '').split(',').includes('memory');
    if (hit) return { root: unescapeMount(root), mountPoint: unescapeMount(mountPoint) };
  }
  return null;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

function defaultMount(sysRoot: string, version: 1 | 2): CgroupMount {
  return { root: '/', mountPoint: version === 2 ? join(sysRoot, 'fs/cgroup') : join(sysRoot, 'fs/cgroup/memory') };
}

/** Mount points are real paths; a test moves /sys to a temp dir, so re-root what lies under /sys. */
function rerootSys(mountPoint: string, sysRoot: string): string {
  if (sysRoot === '/sys') return mountPoint;
  if (mountPoint === '/sys' || mountPoint.startsWith('/sys/')) return join(sysRoot, mountPoint.slice(4));
  return mountPoint;
}
