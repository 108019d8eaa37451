import { join } from 'node:path';
import { readProcFile } from './read-proc-file.js';

/** The environment of another process, or why it could not be read. */
export type EnvironmentRead =
  | { readonly ok: true; readonly env: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly code: string };

/**
 * Reads /proc/PID/environ: NUL-separated `NAME=value` entries, as the process was started (later
 * setenv calls inside the process are not visible, which is fine: the collector expands ${env:X}
 * at start). The kernel allows this read only to the same user or with CAP_SYS_PTRACE (EACCES
 * otherwise). The values are secrets as far as any output goes; only names may be shown.
 */
export async function readProcessEnvironment(procRoot: string, pid: number): Promise<EnvironmentRead> {
  const r = await readProcFile(join(procRoot, String(pid), 'environ'), 1024 * 1024);
  if (!r.ok) return r;
  return { ok: true, env: parseEnviron(r.text) };
}

/** Splits an environ block; entries without `=` are skipped, the first `=` separates name and value. */
export function parseEnviron(text: string): Record<string, string> {
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
