import type { LookupAddress } from 'node:dns';
import { connect as netConnect, type NetConnectOpts } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ProbeRun } from './probe-run.js';
import { errorCode } from './error-code.js';
import { connectTo } from './dial-address.js';

/*
 * Second handshakes: on a failure path only, a throwaway TLS connection asks the server one more
 * question the first connection could not answer.
 */
/**
 * A second, throwaway TLS connection used only on a failure path to ask the server one more
 * question. `watch` wires the events that answer it and calls `finish(answer)`; every other end
 * (reset, close, the probe's deadline) answers false. Sockets are always destroyed.
 */
export function throwawayHandshake(
  to: NetConnectOpts,
  tls: Omit<ConnectionOptions, 'socket'>,
  signal: AbortSignal,
  watch: (socket: TLSSocket, finish: (answer: boolean) => void) => void,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const raw = netConnect(to);
    const socket = tlsConnect({ ...tls, socket: raw });
    let done = false;
    const finish = (answer: boolean): void => {
      if (done) return;
      done = true;
      socket.on('error', ignore);
      raw.on('error', ignore);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      raw.destroy();
      resolve(answer);
    };
    const onAbort = (): void => finish(false);
    signal.addEventListener('abort', onAbort);
    watch(socket, finish);
    raw.once('error', () => finish(false));
  });
}

const ignore = (): void => {};

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
  return throwawayHandshake(connectTo(a, run.prep.endpoint.port), tls, run.signal, (socket, finish) => {
    // TLS 1.3 servers send their refusal after the handshake: write, then wait for it.
    socket.once('secureConnect', () => socket.write('\r\n'));
    socket.once('error', (err) => finish(CLIENT_CERT_ALERT.test(errorCode(err))));
    socket.once('data', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

/**
 * Whether a server speaks TLS on a port: a second, throwaway handshake (no verification) that
 * only runs after a plaintext probe saw the connection closed without an answer, since a TLS
 * server that gets plaintext may close silently instead of sending an alert.
 */
export function speaksTls(address: LookupAddress, port: number, signal: AbortSignal): Promise<boolean> {
  return throwawayHandshake(connectTo(address, port), { rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, signal, (socket, finish) => {
    socket.once('secureConnect', () => finish(true));
    // A TLS alert is an answer in TLS too; a reset or a plaintext answer is not.
    socket.once('error', (err) => finish(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT/.test(errorCode(err))));
  });
}
