import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { portSwitch } from '../port-switch.js';

/**
 * What the backend does now: accept exports, reject the credentials (401), be unavailable (503),
 * not listen at all (connections refused), or (TLS only) serve a certificate the client does not trust.
 */
export type BackendMode = 'healthy' | 'unauthorized' | 'unavailable' | 'refused' | 'untrusted';

export interface SwitchableBackendOptions {
  /** serve HTTPS with `trusted`; mode 'untrusted' swaps in `untrusted` */
  readonly tls?: {
    readonly trusted: { readonly cert: string; readonly key: string };
    readonly untrusted: { readonly cert: string; readonly key: string };
  };
}

/**
 * An OTLP/HTTP backend on 127.0.0.1 whose behaviour is switched at run time, always on the same
 * port. Every switch drops the open connections, as a restarted backend would. Lifecycle: start,
 * `setMode()` any number of times, `close()` in a teardown.
 */
export interface SwitchableBackend {
  readonly port: number;
  /** the exporter's `endpoint` (base URL: the exporter appends /v1/traces) */
  readonly endpoint: string;
  readonly mode: () => BackendMode;
  /** POSTs to /v1/traces answered so far */
  readonly exports: () => number;
  setMode(mode: BackendMode): Promise<void>;
  close(): Promise<void>;
}

const STATUS: Record<Exclude<BackendMode, 'refused' | 'untrusted'>, number> = { healthy: 200, unauthorized: 401, unavailable: 503 };

export async function startSwitchableBackend(o: SwitchableBackendOptions = {}): Promise<SwitchableBackend> {
  let mode: BackendMode = 'healthy';
  let exports = 0;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      exports++;
      const status = mode === 'unauthorized' || mode === 'unavailable' ? STATUS[mode] : 200;
      res.writeHead(status, { 'content-type': status === 200 ? 'application/x-protobuf' : 'text/plain' });
      res.end(status === 200 ? '' : `${status}\n`);
    });
  };
  const tls = o.tls;
  const server: Server | HttpsServer = tls ? createHttps({ cert: tls.trusted.cert, key: tls.trusted.key }, handle) : createHttp(handle);
  // a client that gives up on our certificate is the expected failure, not the server's
  server.on('tlsClientError', () => {});

  const gate = portSwitch(server);
  await gate.listen(0);
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  return {
    port,
    endpoint: `${scheme}://127.0.0.1:${port}`,
    mode: () => mode,
    exports: () => exports,
    async setMode(next) {
      if (next === 'untrusted' && !tls) throw new Error('mode "untrusted" needs a TLS backend');
      mode = next;
      if (tls) {
        const pair = next === 'untrusted' ? tls.untrusted : tls.trusted;
        (server as HttpsServer).setSecureContext({ cert: pair.cert, key: pair.key });
      }
      if (next === 'refused') {
        await gate.stop();
        return;
      }
      gate.dropConnections();
      if (!gate.listening) await gate.listen(port);
    },
    close: () => gate.stop(),
  };
}
