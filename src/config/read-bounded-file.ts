import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The most bytes the daemon reads from each kind of file it is pointed at. Real files are far
 * smaller; the limits keep a wrong path (a log, a core dump, a device) or a hostile file from
 * costing seconds of parsing and hundreds of MB of memory. Documented in docs/configuration.md.
 */
export const FILE_LIMITS = {
  /** otel-sentinel's own config file */
  sentinelConfig: 1024 * 1024,
  /** each collector config file */
  collectorConfig: 4 * 1024 * 1024,
  /** a TLS file of an exporter (ca_file, cert_file, key_file) or of the web server; a full CA bundle is about 200 KB */
  tls: 4 * 1024 * 1024,
  /** a bearer token file */
  token: 64 * 1024,
} as const;

/** A file over its limit: names the file, its size (or "more than") and the limit. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  readonly code = 'EFBIG';
  constructor(
    readonly file: string,
    /** the size stat() reported, or null when the file gave more than the limit without a size (a pipe, procfs) */
    readonly size: number | null,
    readonly limit: number,
  ) {
    super('');
    this.message = `${file} ${this.detail}`;
  }

  /** "is 52,428,800 bytes (50.0 MiB), over the limit of 4 MiB" */
  get detail(): string {
    return `is ${this.size === null ? `more than ${formatBytes(this.limit)}` : formatSize(this.size)}, over the limit of ${formatBytes(this.limit)}`;
  }
}

/** A limit: `4 MiB`, `64 KiB`, `1,000 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n.toLocaleString('en-US')} bytes`;
}

/** A size as found: `52,428,800 bytes (50.0 MiB)`, `900 bytes`. */
export function formatSize(n: number): string {
  const bytes = `${n.toLocaleString('en-US')} bytes`;
  return n >= 1024 * 1024 ? `${bytes} (${(n / (1024 * 1024)).toFixed(1)} MiB)` : bytes;
}

/**
 * Reads a whole file of at most `limit` bytes, as Buffer. The size is checked before anything is
 * read, so an oversize file costs one fstat(); a file whose size is not known in advance (a FIFO,
 * procfs) is read up to one byte past the limit. Throws FileTooLargeError, or the fs error (with
 * its errno `code`) as readFileSync would.
 */
export function readBoundedFileSync(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    const known = st.isFile() && st.size > 0;
    if (known && st.size > limit) throw new FileTooLargeError(file, st.size, limit);
    // a known size is read at once (one byte more shows a file that grew); otherwise 64 KiB at a time
    const chunkSize = known ? Math.min(st.size + 1, limit + 1) : 64 * 1024;
    const chunks: Buffer[] = [];
    let filled = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkSize, limit + 1 - filled));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      filled += n;
      if (filled > limit) throw new FileTooLargeError(file, null, limit);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, filled);
  } finally {
    closeSync(fd);
  }
}

/** readBoundedFileSync as UTF-8 text. */
export function readBoundedTextSync(file: string, limit: number): string {
  return readBoundedFileSync(file, limit).toString('utf8');
}
