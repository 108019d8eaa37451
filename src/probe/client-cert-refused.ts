import type { ProbeRun } from './probe-run.js';
import { errorCode } from './error-code.js';
import { throwawayHandshake } from './throwaway-handshake.js';

const CLIENT_CERT_ALERT = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_HANDSHAKE_FAILURE|SSLV3_ALERT_BAD_CERTIFICATE)$/;

/**
 * Some servers (Node's among them) drop a connection whose client certificate they refuse
 * without sending an alert. When that happens after we presented one, this asks again without a
 * certificate: if the server then answers with a "certificate required" alert, it demands client
 * certificates and refused ours. Runs only on that failure path, for a direct connection.
 */
export function clientCertRefused(run: ProbeRun): Promise<boolean> {
  const t = run.prep.tls;
  const a = run.connected;
  if (!t?.noCertContext || !a || run.proxy || run.signal.aborted) return Promise.resolve(false);
  const tls = {
    secureContext: t.noCertContext,
    servername: t.servername,
    host: t.checkName,
    ALPNProtocols: t.alpn as string[],
    rejectUnauthorized: false,
  };
  return throwawayHandshake({ host: a.address, port: run.prep.endpoint.port, family: a.family }, tls, run.signal, (socket, finish) => {
    // TLS 1.3 servers send their refusal after the handshake: write, then wait for it.
    socket.once('secureConnect', () => socket.write('\r\n'));
    socket.once('error', (err) => finish(CLIENT_CERT_ALERT.test(errorCode(err))));
    socket.once('data', () => finish(false));
    socket.once('close', () => finish(false));
  });
}
