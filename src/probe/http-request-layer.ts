import { AnswerReader } from '../net/answer-reader.js';
import { Client, closeClient } from '../net/undici-client.js';
import { errorCode } from './error-code.js';
import { speaks, showBytes } from './first-bytes.js';
import { closedOrTls } from './grpc-preface-layer.js';
import { fail, OBSERVED, type Layer, type LayerFailure } from './layer.js';
import { wire, type ProbeRun } from './probe-run.js';
import { http } from '../net/node-http.js';

/** Why the request was aborted when the exporter's own `timeout` passed. */
const EXPORTER_TIMEOUT = new Error('the exporter timeout passed');

/** Statuses a forward proxy answers itself: 407 for credentials, 502/503/504 when the upstream fails. */
const PROXY_STATUSES: ReadonlySet<number> = new Set([407, 502, 503, 504]);

/** How much of an answer's body is read: enough for the message of a 400. */
const BODY_HEAD_BYTES = 4096;

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
    const answer = new AnswerReader(BODY_HEAD_BYTES);
    const unfollow = answer.follow(run.signal);
    // the exporter's timeout 0 means no limit: only the probe's own deadline ends the request
    const timer = prep.spec.timeoutMs > 0 ? setTimeout(() => answer.abort(EXPORTER_TIMEOUT), prep.spec.timeoutMs) : undefined;
    try {
      const headers: Record<string, string> = { ...prep.httpHeaders, ...run.authHeaders };
      if (absolute && run.proxy!.authorization) headers['proxy-authorization'] = run.proxy!.authorization;
      client.dispatch({ method: 'POST', path: absolute ? ep.url : ep.path, headers, body: prep.httpBody }, answer);
      const { status, headers: answered, body: head } = await answer.done;
      run.answered = true;
      if (status >= 200 && status < 300) return undefined;
      // In absolute form the proxy answers for itself: it wants credentials (407), or it could not
      // get an answer from the backend (502, 503, 504, the gateway statuses). Go's client sees these
      // as the export's answer; what failed is the hop through the proxy.
      if (absolute && PROXY_STATUSES.has(status)) {
        return fail('proxy', OBSERVED.proxyStatus, { status, status_text: http.STATUS_CODES[status] ?? '', forwarded: `POST ${ep.url}` });
      }
      const body = status === 400 ? head.toString('utf8').slice(0, 300) : '';
      const retryAfter = answered['retry-after'];
      if (status === 400 && body.includes(GO_TLS_PORT_ANSWER)) {
        return fail('request', OBSERVED.peerTls, { detail: `it answered "HTTP 400 ${GO_TLS_PORT_ANSWER}"` });
      }
      return fail('request', OBSERVED.httpStatus, {
        status,
        status_text: http.STATUS_CODES[status] ?? '',
        retry_after: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        body: body.replace(/\s+/g, ' ').trim().slice(0, 200) || undefined,
      });
    } catch (err) {
      return failure(run, err, socketError, answer.reason === EXPORTER_TIMEOUT);
    } finally {
      clearTimeout(timer);
      unfollow();
      socket.removeListener('error', onSocketError);
      closeClient(client);
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


