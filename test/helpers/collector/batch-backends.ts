import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createH2c, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

/**
 * OTLP backends on 127.0.0.1 whose answer depends on the request body, as real backends' does:
 * the probe's empty export passes, the collector's real batches meet the fault.
 * - too_large: bodies above `maxBytes` get HTTP 413 / gRPC RESOURCE_EXHAUSTED ("message larger than max")
 * - bad_request: every non-empty body gets HTTP 400 / gRPC INVALID_ARGUMENT (permanent)
 * - stall: the request is read and never answered (the connection stays open)
 * - unauthorized: every non-empty body gets HTTP 401 / gRPC UNAUTHENTICATED (credentials good for the probe only)
 * Lifecycle: start, `close()` in a teardown (it also ends the stalled requests).
 */
export type BatchFault = 'too_large' | 'bad_request' | 'stall' | 'unauthorized';

export interface BatchBackend {
  /** the exporter's `endpoint`: host:port for gRPC, a base URL for HTTP */
  readonly endpoint: string;
  /** requests with a non-empty body that reached it */
  batches(): number;
  close(): Promise<void>;
}

export interface BatchBackendOptions {
  readonly protocol: 'grpc' | 'http';
  readonly fault: BatchFault;
  /** too_large: the largest body taken (default 1024 bytes) */
  readonly maxBytes?: number;
}

const GRPC_EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

export async function startBatchBackend(o: BatchBackendOptions): Promise<BatchBackend> {
  const max = o.maxBytes ?? 1024;
  let batches = 0;
  const sockets = new Set<Socket>();
  const stalled = new Set<{ destroy(): void }>();
  /** the fault for a body of this many bytes: null to accept it, undefined to never answer */
  const verdict = (bytes: number): 'too_large' | 'bad_request' | 'unauthorized' | null | undefined => {
    if (bytes === 0) return null;
    batches++;
    if (o.fault === 'stall') return undefined;
    if (o.fault === 'bad_request' || o.fault === 'unauthorized') return o.fault;
    return bytes > max ? 'too_large' : null;
  };

  let server: Server | Http2Server;
  if (o.protocol === 'http') {
    server = createHttp((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => {
        const v = verdict(bytes);
        if (v === undefined) {
          stalled.add(req.socket);
          return;
        }
        if (v === null) {
          res.writeHead(200, { 'content-type': 'application/x-protobuf' });
          res.end();
          return;
        }
        res.writeHead(v === 'too_large' ? 413 : v === 'unauthorized' ? 401 : 400, { 'content-type': 'text/plain' });
        res.end(v === 'too_large' ? `request body larger than ${max} bytes` : v);
      });
    });
  } else {
    server = createH2c();
    server.on('stream', (stream: ServerHttp2Stream) => {
      let bytes = 0;
      stream.on('data', (c: Buffer) => (bytes += c.length));
      stream.on('end', () => {
        // the gRPC frame: 5 bytes of header, then the message
        const v = verdict(Math.max(0, bytes - 5));
        if (v === undefined) {
          stalled.add(stream);
          return;
        }
        if (v === null) {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(GRPC_EMPTY_MESSAGE);
          return;
        }
        const [code, message] = v === 'too_large'
          ? ['8', `grpc: received message larger than max (${bytes - 5} vs. ${max})`]
          : v === 'unauthorized' ? ['16', 'unauthorized'] : ['3', 'invalid data'];
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': code, 'grpc-message': encodeURIComponent(message) }, { endStream: true });
      });
    });
  }
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: o.protocol === 'http' ? `http://127.0.0.1:${port}` : `127.0.0.1:${port}`,
    batches: () => batches,
    close: async () => {
      for (const s of stalled) s.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
