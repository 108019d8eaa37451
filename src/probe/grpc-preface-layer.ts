import { clientCertRefused, speaksTls } from './second-handshake.js';
import { errorCode } from './error-code.js';
import { firstLine, readFirstBytes, showBytes, speaks } from './first-bytes.js';
import { fail, OBSERVED, type Layer, type LayerFailure } from './layer.js';
import { wire, type ProbeRun } from './probe-run.js';

/** The HTTP/2 client connection preface and an empty SETTINGS frame, as every gRPC client sends. */
const PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/**
 * Greets the server on the probed connection as an HTTP/2 client and reads what it answers: an
 * HTTP/2 server answers SETTINGS; an HTTP/1.1 server a "HTTP/1.1 400"; a TLS server (when we speak
 * plaintext) an alert. Also where a TLS 1.3 server's refusal of our client certificate shows, since
 * that alert only arrives after the handshake.
 */
export const grpcPrefaceLayer: Layer = {
  name: 'request',
  phase: 'request_seconds',
  waitsFor: 'the HTTP/2 greeting',
  skip: (run) => run.ctx.mode === 'handshake',
  async run(run) {
    const socket = wire(run)!;
    let answer: Buffer | null;
    try {
      answer = await readFirstBytes(socket, PREFACE, run.signal);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'TIMEOUT') return fail('request', OBSERVED.timeout, { phase: 'the HTTP/2 greeting' }, err);
      return closedOrTls(run, code, err);
    }
    if (answer === null) return closedOrTls(run, OBSERVED.closed);
    run.answered = true;
    switch (speaks(answer)) {
      case 'http2':
        return undefined;
      case 'http1':
        return fail('request', OBSERVED.peerHttp1, { first_line: firstLine(answer) });
      case 'tls':
        return fail('request', run.tlsSocket ? OBSERVED.peerUnknown : OBSERVED.peerTls, { first_bytes: showBytes(answer) });
      default:
        return fail('request', OBSERVED.peerUnknown, { first_bytes: showBytes(answer) });
    }
  },
};

/** A plaintext connection closed without an answer may be a TLS server refusing plaintext: ask. */
export async function closedOrTls(run: ProbeRun, code: string, cause?: unknown): Promise<LayerFailure> {
  const dropped = code === OBSERVED.closed || code === 'ECONNRESET' || code === 'EPIPE';
  if (run.tlsSocket && dropped && !run.answered && (await clientCertRefused(run))) {
    return fail('request', OBSERVED.clientCertRefused, { detail: 'the server closed the connection right after the handshake' }, cause);
  }
  if (!run.tlsSocket && dropped) {
    const a = run.connected;
    if (!run.proxy && a && (await speaksTls(a, run.prep.endpoint.port, run.signal))) {
      return fail('request', OBSERVED.peerTls, { detail: 'it closed the plaintext connection and accepts a TLS handshake' }, cause);
    }
  }
  return fail('request', code, { phase: 'the request' }, cause);
}
