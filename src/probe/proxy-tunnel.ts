import type { Socket } from 'node:net';
import type { ProxyTarget } from './proxy-target.js';
import { settle } from './settle.js';
import { http } from '../net/node-http.js';

export type TunnelAnswer =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: number; readonly statusText: string }
  | { readonly ok: false; readonly status: 0; readonly statusText: 'closed' | 'garbled' };

const HEAD_LIMIT = 16 * 1024;

/**
 * Asks an HTTP proxy over a connected socket for a tunnel with `CONNECT authority`, as Go's
 * transport does. Bytes after the proxy's answer head are put back on the socket. Rejects with the
 * socket's error, or DeadlineReached.
 */
export function openTunnel(socket: Socket, proxy: ProxyTarget, authority: string, signal: AbortSignal): Promise<TunnelAnswer> {
  return settle<TunnelAnswer>(signal, (resolve, reject) => {
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > HEAD_LIMIT) resolve({ ok: false, status: 0, statusText: 'garbled' });
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!m) {
        resolve({ ok: false, status: 0, statusText: 'garbled' });
        return;
      }
      const status = Number(m[1]);
      const rest = head.subarray(end + 4);
      socket.removeListener('data', onData);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      if (status >= 200 && status < 300) resolve({ ok: true });
      else resolve({ ok: false, status, statusText: m[2] || http.STATUS_CODES[status] || '' });
    };
    const onError = (err: Error): void => reject(err);
    const onClose = (): void => resolve({ ok: false, status: 0, statusText: 'closed' });
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}User-Agent: otel-sentinel\r\n\r\n`);
    return () => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
    };
  });
}
