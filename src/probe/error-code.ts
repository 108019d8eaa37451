/**
 * The server refused every protocol the client offered in ALPN. For a gRPC exporter (it offers
 * only "h2") that is a server without HTTP/2: an HTTP/1.1 server, not gRPC.
 */
export const NO_APPLICATION_PROTOCOL = 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL';

/**
 * The one place where foreign errors become codes: errno strings, OpenSSL codes, undici codes,
 * AggregateError from multi-address connects. Everything downstream matches on the returned code.
 */
export function errorCode(err: unknown): string {
  return normaliseCode(rawCode(err));
}

/**
 * OpenSSL 3.2 renamed its "sslv3 alert X" reasons to "ssl/tls alert X", so Node 22+ (OpenSSL 3.5)
 * says ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE where Node 20 says ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE.
 * Both mean the same TLS alert: classify by one name.
 */
export function normaliseCode(code: string): string {
  return code.startsWith('ERR_SSL_SSL/TLS_ALERT_') ? `ERR_SSL_SSLV3_ALERT_${code.slice('ERR_SSL_SSL/TLS_ALERT_'.length)}` : code;
}

function rawCode(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e; depth++) {
    if (e instanceof AggregateError && e.errors.length > 0) {
      e = e.errors[0];
      continue;
    }
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && c !== '' && !c.startsWith('UND_ERR')) return c;
    const cause = (e as { cause?: unknown }).cause;
    if (cause) {
      e = cause;
      continue;
    }
    if (typeof c === 'string' && c !== '') return c;
    break;
  }
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' && c !== '' ? c : 'ERROR';
}

/** The error raised inside a layer when the probe's deadline fires. */
export class DeadlineReached extends Error {
  override readonly name = 'DeadlineReached';
  readonly code = 'TIMEOUT';
  constructor() {
    super('the probe deadline was reached');
  }
}
