import { errorCode } from './error-code.js';
import { throwawayHandshake } from './throwaway-handshake.js';

/**
 * Whether a server speaks TLS on a port: a second, throwaway handshake (no verification) that
 * only runs after a plaintext probe saw the connection closed without an answer, since a TLS
 * server that gets plaintext may close silently instead of sending an alert.
 */
export function speaksTls(host: string, port: number, family: number, signal: AbortSignal): Promise<boolean> {
  return throwawayHandshake({ host, port, family }, { rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, signal, (socket, finish) => {
    socket.once('secureConnect', () => finish(true));
    // A TLS alert is an answer in TLS too; a reset or a plaintext answer is not.
    socket.once('error', (err) => finish(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT/.test(errorCode(err))));
  });
}
