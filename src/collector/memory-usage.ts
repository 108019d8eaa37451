import { join } from 'node:path';
import { readProcFile } from './read-proc-file.js';

export type BytesRead = { readonly ok: true; readonly bytes: number } | { readonly ok: false; readonly code: string };

/**
 * Resident memory from /proc/PID/status (VmRSS, in kB). Read directly rather than through pidusage:
 * it is one small read, works against an injected procfs root, and pidusage would read
 * /proc/PID/stat a second time and spawn `getconf` for the page size.
 */
export async function readRss(procRoot: string, pid: number): Promise<BytesRead> {
  const r = await readProcFile(join(procRoot, String(pid), 'status'), 16 * 1024);
  if (!r.ok) return r;
  const kb = kbField(r.text, 'VmRSS');
  // kernel threads and zombies have no VmRSS line
  return kb === null ? { ok: false, code: 'ENODATA' } : { ok: true, bytes: kb * 1024 };
}

/** Host memory from /proc/meminfo (MemTotal). */
export async function readMemTotal(procRoot: string): Promise<BytesRead> {
  const r = await readProcFile(join(procRoot, 'meminfo'), 16 * 1024);
  if (!r.ok) return r;
  const kb = kbField(r.text, 'MemTotal');
  return kb === null ? { ok: false, code: 'ENODATA' } : { ok: true, bytes: kb * 1024 };
}

function kbField(text: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}
