import type { Socket } from 'node:net';
import { settle } from './settle.js';

/** What the first bytes a server answered say about the protocol it speaks. */
export type Speaks = 'tls' | 'http1' | 'http2' | 'unknown';

/**
 * TLS records start with content type 0x15 (alert) or 0x16 (handshake) and major version 3; an
 * HTTP/1.x answer with "HTTP/1."; HTTP/2 frames with a 9-byte header whose type byte is a known
 * frame type (a server's first frame is SETTINGS, or GOAWAY when it rejects the greeting).
 */
export function speaks(buf: Uint8Array): Speaks {
  if (buf.length >= 2 && (buf[0] === 0x15 || buf[0] === 0x16) && buf[1] === 0x03) return 'tls';
  if (buf.length >= 5 && buf[0] === 0x48 && buf[1] === 0x54 && buf[2] === 0x54 && buf[3] === 0x50 && buf[4] === 0x2f) {
    return 'http1';
  }
  if (buf.length >= 9 && buf[0] === 0 && (buf[3] === 0x04 || buf[3] === 0x07)) return 'http2';
  return 'unknown';
}

/** Up to 16 bytes as hex (and printable text), to show what answered. */
export function showBytes(buf: Uint8Array): string {
  const head = Buffer.from(buf.subarray(0, 16));
  const text = head.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${head.toString('hex').replace(/(..)(?!$)/g, '$1 ')} "${text}"`;
}

/** The first line of an HTTP/1.x answer, e.g. "HTTP/1.1 400 Bad Request". */
export function firstLine(buf: Uint8Array): string {
  const text = Buffer.from(buf.subarray(0, 200)).toString('latin1');
  const end = text.indexOf('\r\n');
  return end < 0 ? text : text.slice(0, end);
}

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
