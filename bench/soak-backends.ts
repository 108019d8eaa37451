/**
 * The loopback backends the soak run probes: one of each steady behaviour a real fleet shows
 * (healthy gRPC, healthy HTTP, 503, refused, hung, TLS with an untrusted certificate), and a
 * stand-in for the collector's internal metrics. Lifecycle: start once, `close()` once.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { DEMO_UNTRUSTED_CERT_PEM, DEMO_UNTRUSTED_KEY_PEM } from '../src/demo/certs.js';

const HOST = '127.0.0.1';
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const passthrough = (b: Buffer): Buffer => b;

export type BackendKind = 'grpc-ok' | 'http-ok' | 'http-503' | 'refused' | 'hung' | 'tls-untrusted';
export const BACKEND_KINDS: readonly BackendKind[] = ['grpc-ok', 'http-ok', 'http-503', 'refused', 'hung', 'tls-untrusted'];

export interface SoakBackends {
  /** the collector exporter block that points at a backend of this kind */
  block(kind: BackendKind): Record<string, unknown>;
  readonly telemetryUrl: string;
  close(): Promise<void>;
}

async function listen(server: HttpServer | NetServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

function otlpHttp(code: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => res.writeHead(code, { 'content-type': 'application/x-protobuf' }).end());
  };
}

export async function startSoakBackends(exporterNames: readonly string[]): Promise<SoakBackends> {
  const closers: Array<() => Promise<void>> = [];
  const closeServer = (s: HttpServer | NetServer, sockets?: Set<Socket>) => async () => {
    if ('closeAllConnections' in s) s.closeAllConnections();
    for (const so of sockets ?? []) so.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  };

  const grpcServer = new grpc.Server();
  grpcServer.register(EXPORT_PATH, (_c: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(0)), passthrough, passthrough, 'unary');
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  closers.push(async () => void grpcServer.forceShutdown());

  const ok = createHttpServer(otlpHttp(200));
  const okPort = await listen(ok);
  closers.push(closeServer(ok));

  const unavailable = createHttpServer(otlpHttp(503));
  const unavailablePort = await listen(unavailable);
  closers.push(closeServer(unavailable));

  const held = new Set<Socket>();
  const hung = createNetServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
    s.on('close', () => held.delete(s));
  });
  const hungPort = await listen(hung);
  closers.push(closeServer(hung, held));

  const untrusted = createHttpsServer({ cert: DEMO_UNTRUSTED_CERT_PEM, key: DEMO_UNTRUSTED_KEY_PEM }, otlpHttp(200));
  untrusted.on('tlsClientError', () => undefined);
  const untrustedPort = await listen(untrusted);
  closers.push(closeServer(untrusted));

  const spare = createNetServer();
  const refusedPort = await listen(spare);
  await new Promise<void>((r) => spare.close(() => r()));

  // The collector's internal metrics with a slowly filling queue per exporter, so the scraper's
  // per-exporter windows are exercised for the whole run.
  const started = Date.now();
  const telemetry = createHttpServer((req, res) => {
    req.resume();
    const seconds = (Date.now() - started) / 1000;
    const lines = ['# TYPE otelcol_exporter_queue_size gauge'];
    for (const e of exporterNames) lines.push(`otelcol_exporter_queue_size{exporter="${e}"} ${Math.round(seconds) % 500}`);
    lines.push('# TYPE otelcol_exporter_queue_capacity gauge');
    for (const e of exporterNames) lines.push(`otelcol_exporter_queue_capacity{exporter="${e}"} 1000`);
    lines.push('# TYPE otelcol_exporter_sent_spans_total counter');
    for (const e of exporterNames) lines.push(`otelcol_exporter_sent_spans_total{exporter="${e}"} ${Math.round(seconds * 100)}`);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  const telemetryPort = await listen(telemetry);
  closers.push(closeServer(telemetry));

  const blocks: Record<BackendKind, Record<string, unknown>> = {
    'grpc-ok': { endpoint: `${HOST}:${grpcPort}`, tls: { insecure: true } },
    'http-ok': { endpoint: `http://${HOST}:${okPort}` },
    'http-503': { endpoint: `http://${HOST}:${unavailablePort}` },
    refused: { endpoint: `${HOST}:${refusedPort}`, tls: { insecure: true } },
    hung: { endpoint: `http://${HOST}:${hungPort}` },
    'tls-untrusted': { endpoint: `https://${HOST}:${untrustedPort}` },
  };
  return {
    block: (kind) => blocks[kind],
    telemetryUrl: `http://${HOST}:${telemetryPort}/metrics`,
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}
