import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/**
 * A second, throwaway TLS connection used only on a failure path to ask the server one more
 * question. `watch` wires the events that answer it and calls `finish(answer)`; every other end
 * (reset, close, the probe's deadline) answers false. Sockets are always destroyed.
 */
export function throwawayHandshake(
  to: { host: string; port: number; family: number },
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
