import type { Socket } from 'node:net';
import { settle } from './settle.js';

/**
 * Writes `greeting` and waits for the first bytes the server answers: resolves with them, with null
 * when the server closed without a byte, rejects with the socket's error or DeadlineReached.
 */
export function readFirstBytes(socket: Socket, greeting: Uint8Array, signal: AbortSignal): Promise<Buffer | null> {
  return settle<Buffer | null>(signal, (resolve, reject) => {
    const onData = (chunk: Buffer): void => resolve(chunk);
    const onEnd = (): void => resolve(null);
    const onError = (err: Error): void => reject(err);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
    // a socket paused on purpose (after a proxy's CONNECT answer) does not flow again on 'data'
    socket.resume();
    socket.write(greeting);
    return () => {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
      socket.removeListener('error', onError);
      socket.pause();
    };
  });
}
