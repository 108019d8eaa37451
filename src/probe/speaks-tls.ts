import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { errorCode } from './error-code.js';

/**
 * Whether a server speaks TLS on a port: a second, throwaway handshake (no verification) that
 * only runs after a plaintext probe saw the connection closed without an answer, since a TLS
 * server that gets plaintext may close silently instead of sending an alert.
 */
export function speaksTls(host: string, port: number, family: number, signal: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const raw = netConnect({ host, port, family });
    const socket = tlsConnect({ socket: raw, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] });
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
    socket.once('secureConnect', () => finish(true));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // A TLS alert is an answer in TLS too; a reset or a plaintext answer is not.
      finish(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT/.test(errorCode(err)));
    });
    raw.once('error', () => finish(false));
  });
}

const ignore = (): void => {};
