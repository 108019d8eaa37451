import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { DEMO_SERVER_CERT_PEM, DEMO_SERVER_KEY_PEM, DEMO_UNTRUSTED_CERT_PEM, DEMO_UNTRUSTED_KEY_PEM } from './certs.js';

/** One running demo backend and the collector exporter block that points at it. */
export interface DemoBackend {
  readonly exporter: string;
  readonly what: string;
  readonly block: Record<string, unknown>;
}

export interface DemoBackends {
  readonly backends: readonly DemoBackend[];
  /** a stand-in for the collector's internal metrics, with a filling queue */
  readonly telemetryUrl: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const passthrough = (b: Buffer): Buffer => b;

async function listenHttp(server: HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

/** An OTLP/HTTP receiver answering `status` (drains the body first, as a real receiver does). */
function otlpHttpHandler(status: (req: IncomingMessage) => { code: number; headers?: Record<string, string> }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end('404 page not found\n');
        return;
      }
      const { code, headers } = status(req);
      res.writeHead(code, { 'content-type': 'application/x-protobuf', ...headers }).end();
    });
  };
}

async function grpcServer(creds: grpc.ServerCredentials): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.register(
    EXPORT_PATH,
    (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(0)),
    passthrough,
    passthrough,
    'unary',
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST}:0`, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}

/**
 * Starts the demo's backends on loopback: healthy ones and one for each typical failure. Every
 * port is ephemeral, so several demos can run side by side.
 */
export async function startDemoBackends(): Promise<DemoBackends> {
  const closers: Array<() => Promise<void>> = [];
  const backends: DemoBackend[] = [];
  const closeHttp = (s: HttpServer) => async () => {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  };

  const plainGrpc = await grpcServer(grpc.ServerCredentials.createInsecure());
  closers.push(async () => void plainGrpc.server.forceShutdown());
  backends.push({
    exporter: 'otlp/healthy-grpc',
    what: 'a healthy OTLP/gRPC receiver (plaintext)',
    block: { endpoint: `${HOST}:${plainGrpc.port}`, tls: { insecure: true } },
  });

  const tlsGrpc = await grpcServer(
    grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(DEMO_SERVER_CERT_PEM), private_key: Buffer.from(DEMO_SERVER_KEY_PEM) }]),
  );
  closers.push(async () => void tlsGrpc.server.forceShutdown());
  backends.push({
    exporter: 'otlp/healthy-grpc-tls',
    what: 'a healthy OTLP/gRPC receiver over TLS (demo CA)',
    block: { endpoint: `localhost:${tlsGrpc.port}`, tls: { ca_file: '${env:DEMO_CA_FILE}' } },
  });

  const healthyHttp = createHttpServer(otlpHttpHandler(() => ({ code: 200 })));
  closers.push(closeHttp(healthyHttp));
  backends.push({
    exporter: 'otlphttp/healthy',
    what: 'a healthy OTLP/HTTP receiver',
    block: { endpoint: `http://${HOST}:${await listenHttp(healthyHttp)}` },
  });

  const untrusted = createHttpsServer(
    { cert: DEMO_UNTRUSTED_CERT_PEM, key: DEMO_UNTRUSTED_KEY_PEM },
    otlpHttpHandler(() => ({ code: 200 })),
  );
  closers.push(closeHttp(untrusted));
  backends.push({
    exporter: 'otlphttp/untrusted-cert',
    what: 'an HTTPS receiver whose certificate no configured CA signed',
    block: { endpoint: `https://${HOST}:${await listenHttp(untrusted)}` },
  });

  const needsToken = createHttpServer(
    otlpHttpHandler((req) => (req.headers.authorization === 'Bearer demo-token' ? { code: 200 } : { code: 401, headers: { 'www-authenticate': 'Bearer' } })),
  );
  closers.push(closeHttp(needsToken));
  backends.push({
    exporter: 'otlphttp/missing-token',
    what: 'a receiver that wants a bearer token the exporter does not send',
    block: { endpoint: `http://${HOST}:${await listenHttp(needsToken)}` },
  });

  const overloaded = createHttpServer(otlpHttpHandler(() => ({ code: 503, headers: { 'retry-after': '30' } })));
  closers.push(closeHttp(overloaded));
  backends.push({
    exporter: 'otlphttp/overloaded',
    what: 'an overloaded backend answering 503 with Retry-After',
    block: { endpoint: `http://${HOST}:${await listenHttp(overloaded)}` },
  });

  const webOnly = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>a web server</body></html>\n');
  });
  closers.push(closeHttp(webOnly));
  backends.push({
    exporter: 'otlp/http-only',
    what: 'a gRPC exporter aimed at a server that speaks only HTTP/1.1',
    block: { endpoint: `${HOST}:${await listenHttp(webOnly)}`, tls: { insecure: true } },
  });

  // A port that was free a moment ago: nothing listens there.
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, HOST, r));
  const closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  backends.push({
    exporter: 'otlp/closed-port',
    what: 'an endpoint where nothing listens',
    block: { endpoint: `${HOST}:${closedPort}`, tls: { insecure: true } },
  });

  // The collector's internal metrics, as an otelcol would serve them, with one queue filling up.
  const started = Date.now();
  const telemetry = createHttpServer((req, res) => {
    req.resume();
    const minutes = (Date.now() - started) / 60_000;
    const size = Math.min(1000, Math.round(200 + minutes * 300));
    const lines = ['# HELP otelcol_exporter_queue_size Current size of the retry queue (in batches)', '# TYPE otelcol_exporter_queue_size gauge'];
    const q = (exporter: string, v: number) => `{exporter="${exporter}",otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper"} ${v}`;
    for (const b of backends) lines.push(`otelcol_exporter_queue_size${q(b.exporter, b.exporter === 'otlphttp/overloaded' ? size : 0)}`);
    lines.push('# HELP otelcol_exporter_queue_capacity Fixed capacity of the retry queue (in batches)', '# TYPE otelcol_exporter_queue_capacity gauge');
    for (const b of backends) lines.push(`otelcol_exporter_queue_capacity${q(b.exporter, 1000)}`);
    lines.push('# HELP otelcol_exporter_sent_spans_total Number of spans successfully sent to destination.', '# TYPE otelcol_exporter_sent_spans_total counter');
    for (const b of backends) lines.push(`otelcol_exporter_sent_spans_total${q(b.exporter, b.exporter.includes('healthy') ? Math.round(minutes * 60_000) : 0)}`);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(`${lines.join('\n')}\n`);
  });
  closers.push(closeHttp(telemetry));
  const telemetryUrl = `http://${HOST}:${await listenHttp(telemetry)}/metrics`;

  return {
    backends,
    telemetryUrl,
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}
