import { open } from 'node:fs/promises';

/** What a read of a procfs or sysfs file gave: its text, or the errno code that stopped it. */
export type ProcRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly code: string };

/**
 * Reads a small kernel file (procfs, sysfs) with one bounded read. Never throws: errors come back
 * as their errno code (ENOENT, EACCES, EPERM, ESRCH when the process exited mid-read, ...), so the
 * caller can tell "gone" from "not allowed". procfs files report size 0, so the size is not used;
 * the cap keeps a hostile or huge file (environ, cmdline) from costing more than `maxBytes`.
 */
export async function readProcFile(path: string, maxBytes = 64 * 1024): Promise<ProcRead> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.allocUnsafe(maxBytes);
    let filled = 0;
    // procfs may hand out a file in several chunks; read until EOF or the cap
    while (filled < maxBytes) {
      const { bytesRead } = await handle.read(buf, filled, maxBytes - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { ok: true, text: buf.toString('utf8', 0, filled) };
  } catch (err) {
    return { ok: false, code: errnoCode(err) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The errno code of a Node fs error, `EUNKNOWN` for anything else. */
export function errnoCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** True for the codes that mean "the kernel refused us", as opposed to "not there". */
export const isPermissionCode = (code: string): boolean => code === 'EACCES' || code === 'EPERM';
