import { STATUS_CODES } from 'node:http';
import { Client } from 'undici';
import { errorCode } from './error-code.js';
import { speaks, showBytes } from './first-bytes.js';
import { closedOrTls } from './grpc-preface-layer.js';
import { fail, OBSERVED, type Layer, type LayerFailure } from './layer.js';
import { wire, type ProbeRun } from './probe-run.js';

/**
 * Given to `destroy()` once the answer is read: undici would otherwise build a ClientDestroyedError,
 * stack trace and all, for every probe. Nothing is pending by then, so no request ever sees it.
 */
const FINISHED = new Error('probe finished');
const ignore = (): void => {};

/** Why the request was aborted when the exporter's own `timeout` passed. */
const EXPORTER_TIMEOUT = new Error('the exporter timeout passed');

/** Go's net/http server answers plaintext on a TLS port with this 400 body. */
const GO_TLS_PORT_ANSWER = 'Client sent an HTTP request to an HTTPS server';

/**
 * POSTs an empty OTLP/HTTP export (a zero-length protobuf) to the traces path over the probe's own
 * connection, handed to an undici Client made for this one request. HTTP/2 when TLS negotiated h2,
 * as Go's client does. Through a proxy without TLS the request goes to the proxy in absolute form.
 */
export const httpRequestLayer: Layer = {
  name: 'request',
  phase: 'request_seconds',
  waitsFor: 'the POST',
  skip: (run) => run.ctx.mode === 'handshake',
  async run(run) {
    const { prep } = run;
    const ep = prep.endpoint;
    const socket = wire(run)!;
    let socketError: string | undefined;
    // TLS alerts that arrive after the handshake surface here first, with their OpenSSL code.
    const onSocketError = (err: Error): void => {
      const code = errorCode(err);
      if (code !== 'ERROR') socketError ??= code;
    };
    socket.prependListener('error', onSocketError);
    const absolute = run.proxy !== null && !ep.tls;
    const origin = absolute ? `http://${run.facts.proxy_address}` : `${ep.tls ? 'https' : 'http'}://${ep.authority}`;
    const client = new Client(origin, {
      // undici must get the socket asynchronously: it ignores a connect that completes re-entrantly.
      connect: (_opts, cb) => process.nextTick(cb, null, socket),
      allowH2: run.tls?.alpn === 'h2',
      // The exporter's timeout is kept below, for the whole request as Go's client keeps it.
      // undici's own timers hold a finished request's objects for up to a second after it ends.
      headersTimeout: 0,
      bodyTimeout: 0,
      pipelining: 1,
    });
    const abort = new AbortController();
    const onProbeAbort = (): void => abort.abort(run.signal.reason);
    run.signal.addEventListener('abort', onProbeAbort);
    const timer = setTimeout(() => abort.abort(EXPORTER_TIMEOUT), prep.spec.timeoutMs);
    try {
      const headers: Record<string, string> = { ...prep.httpHeaders };
      if (absolute && run.proxy!.authorization) headers['proxy-authorization'] = run.proxy!.authorization;
      const res = await client.request({
        method: 'POST',
        path: absolute ? ep.url : ep.path,
        headers,
        body: prep.httpBody,
        signal: abort.signal,
      });
      run.answered = true;
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        await res.body.dump().catch(() => undefined);
        return undefined;
      }
      let body = '';
      if (status === 400) body = await readHead(res.body, 4096);
      else await res.body.dump().catch(() => undefined);
      if (status === 400 && body.includes(GO_TLS_PORT_ANSWER)) {
        return fail('request', OBSERVED.peerTls, { detail: `it answered "HTTP 400 ${GO_TLS_PORT_ANSWER}"` });
      }
      const retryAfter = res.headers['retry-after'];
      return fail('request', OBSERVED.httpStatus, {
        status,
        status_text: STATUS_CODES[status] ?? '',
        retry_after: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        body: body.replace(/\s+/g, ' ').trim().slice(0, 200) || undefined,
      });
    } catch (err) {
      return failure(run, err, socketError, abort.signal.reason === EXPORTER_TIMEOUT);
    } finally {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onProbeAbort);
      socket.removeListener('error', onSocketError);
      client.destroy(FINISHED, ignore);
    }
  },
};

async function failure(run: ProbeRun, err: unknown, socketError: string | undefined, exporterTimeout: boolean): Promise<LayerFailure> {
  if (exporterTimeout) return fail('request', OBSERVED.timeout, { phase: 'the POST', timeout_ms: run.prep.spec.timeoutMs }, err);
  if (run.signal.aborted) return fail('request', OBSERVED.timeout, { phase: 'the POST' }, err);
  const code = socketError ?? errorCode(err);
  const data = (err as { data?: unknown }).data;
  if (code.startsWith('HPE_') || (err as { name?: string }).name === 'HTTPParserError') {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.alloc(0);
    const kind = speaks(bytes);
    if (kind === 'http2') return fail('request', OBSERVED.peerHttp2, { first_bytes: showBytes(bytes) }, err);
    if (kind === 'tls') return fail('request', OBSERVED.peerTls, { first_bytes: showBytes(bytes) }, err);
    return fail('request', OBSERVED.peerUnknown, { first_bytes: bytes.length ? showBytes(bytes) : code }, err);
  }
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return closedOrTls(run, OBSERVED.closed, err);
  return closedOrTls(run, code, err);
}


/**
 * The first bytes of an answer's body, for the message: never more than `max`, however much the
 * server sends (a misbehaving one may stream gigabytes).
 */
async function readHead(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= max) break; // leaving the loop destroys the stream
    }
  } catch {
    // a body cut short still tells what it began with
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, max).toString('utf8').slice(0, 300);
}
