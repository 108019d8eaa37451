import { opendir, readlink, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, readProcFile } from './read-proc-file.js';

/** PROC_SUPER_MAGIC: only on procfs does the size of /proc/PID/fd mean "number of open fds". */
const PROC_SUPER_MAGIC = 0x9fa0;

/** Where a process's descriptors go, from the targets of its /proc/PID/fd links. */
export interface FdBreakdown {
  readonly sockets: number;
  readonly files: number;
  readonly pipes: number;
  readonly other: number;
  /** links actually read; when smaller than the count, the figures above are extrapolated */
  readonly sampled: number;
}

export type FdCount = { readonly ok: true; readonly open: number } | { readonly ok: false; readonly code: string };

/**
 * Counts the open fds of a process. Since Linux 6.2, stat() of /proc/PID/fd reports the count as its
 * size, which costs one syscall whatever the count; older kernels report 0 and the directory is
 * counted as it is read, never held as a list (100,000 fds take tens of milliseconds and no
 * memory to speak of). `onProcfs` says whether procRoot is a real procfs (a test's fake root is a
 * plain directory whose size means nothing).
 */
export async function countFds(procRoot: string, pid: number, onProcfs: boolean): Promise<FdCount> {
  const dir = join(procRoot, String(pid), 'fd');
  try {
    if (onProcfs) {
      const st = await stat(dir);
      if (st.size > 0) return { ok: true, open: st.size };
    }
    return { ok: true, open: (await listFds(dir, 0)).total };
  } catch (err) {
    return { ok: false, code: errnoCode(err) };
  }
}

/**
 * Reads a /proc/PID/fd directory as a stream: the number of entries, and the first `keep` names.
 * Memory stays at `keep` names whatever the count.
 */
async function listFds(dir: string, keep: number): Promise<{ total: number; names: string[] }> {
  const names: string[] = [];
  let total = 0;
  const d = await opendir(dir, { bufferSize: 1024 });
  for await (const entry of d) {
    if (total < keep) names.push(entry.name);
    total++;
  }
  return { total, names };
}

/** True when `procRoot` is a mounted procfs. */
export async function isProcfs(procRoot: string): Promise<boolean> {
  try {
    return (await statfs(procRoot)).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Classifies fds by their link targets (`socket:[n]`, `pipe:[n]`, `/path`, `anon_inode:...`). Reads
 * at most `maxLinks` links and scales the counts up: it runs only when a problem is reported, and
 * must stay cheap with tens of thousands of fds. With a known large count it samples fd numbers
 * evenly below it instead of listing the directory (the kernel hands out the lowest free number,
 * so open fds are dense there; a listing alone costs milliseconds at 10,000 fds). Without a count,
 * the directory is read as a stream and the links are sampled among its first `4 * maxLinks`
 * entries.
 */
export async function classifyFds(procRoot: string, pid: number, knownCount?: number, maxLinks = 256): Promise<FdBreakdown | null> {
  const dir = join(procRoot, String(pid), 'fd');
  let picked: string[];
  let total: number;
  if (knownCount !== undefined && knownCount > 4 * maxLinks) {
    total = knownCount;
    const span = Math.ceil(knownCount * 1.05) + 64;
    const step = span / maxLinks;
    picked = Array.from({ length: maxLinks }, (_, i) => String(Math.floor(i * step)));
  } else {
    let names: string[];
    try {
      ({ total, names } = await listFds(dir, 4 * maxLinks));
    } catch {
      return null;
    }
    const step = Math.max(1, names.length / maxLinks);
    picked = [];
    for (let i = 0; i < names.length && picked.length < maxLinks; i += step) picked.push(names[Math.floor(i)]!);
  }
  if (total === 0) return { sockets: 0, files: 0, pipes: 0, other: 0, sampled: 0 };
  const targets = await Promise.all(picked.map((n) => readlink(join(dir, n)).catch(() => null)));
  let sockets = 0, files = 0, pipes = 0, other = 0, read = 0;
  for (const t of targets) {
    if (t === null) continue; // a free fd number, or closed since the listing
    read++;
    if (t.startsWith('socket:')) sockets++;
    else if (t.startsWith('pipe:')) pipes++;
    else if (t.startsWith('/')) files++;
    else other++;
  }
  if (read === 0) return null;
  const scale = total / read;
  return {
    sockets: Math.round(sockets * scale),
    files: Math.round(files * scale),
    pipes: Math.round(pipes * scale),
    other: Math.round(other * scale),
    sampled: read,
  };
}

export type NofileLimit =
  | { readonly ok: true; readonly soft: number | null; readonly hard: number | null }
  | { readonly ok: false; readonly code: string };

/** The soft and hard "Max open files" of /proc/PID/limits; null means unlimited. */
export async function readNofileLimit(procRoot: string, pid: number): Promise<NofileLimit> {
  const r = await readProcFile(join(procRoot, String(pid), 'limits'), 8192);
  if (!r.ok) return r;
  const parsed = parseNofileLimit(r.text);
  return parsed ? { ok: true, ...parsed } : { ok: false, code: 'EPARSE' };
}

export function parseNofileLimit(text: string): { soft: number | null; hard: number | null } | null {
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (!line) return null;
  const m = /^Max open files\s+(\S+)\s+(\S+)/.exec(line);
  if (!m) return null;
  const num = (s: string): number | null | undefined => (s === 'unlimited' ? null : /^\d+$/.test(s) ? Number(s) : undefined);
  const soft = num(m[1]!);
  const hard = num(m[2]!);
  if (soft === undefined || hard === undefined) return null;
  return { soft, hard };
}

/** Whether open fds come near enough the limit to be judged (and their kinds worth reading). */
export function fdsNearLimit(open: number | null, max: number | null, fdRatio: number): boolean {
  return open !== null && max !== null && max > 0 && (open >= max || open / max >= fdRatio);
}
