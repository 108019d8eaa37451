/**
 * The loopback targets of the bench, run as a child process of bench/run.ts so that their CPU is
 * not counted against either tool. Started with the certificate paths as a JSON argument; says
 * `{ready, ports}` over IPC, then flips the detection targets on request; exits when the bench
 * disconnects.
 */
import { Server as GrpcServer, ServerCredentials, type ServiceDefinition, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { FlipTarget, FromTargets, TargetPorts, TargetsConfig, ToTargets } from './target-protocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as TargetsConfig;
const tls = { cert: readFileSync(config.certFile), key: readFileSync(config.keyFile) };
const expiredTls = { cert: readFileSync(config.expiredCertFile), key: readFileSync(config.expiredKeyFile) };

const send = (m: FromTargets): void => {
  process.send?.(m);
};

const listen = (s: net.Server, port = 0): Promise<number> =>
  new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      s.off('error', reject);
      resolve((s.address() as AddressInfo).port);
    });
  });

/** Tracks sockets so a flip can cut the connections of the previous state. */
function track(s: net.Server): Set<Socket> {
  const sockets = new Set<Socket>();
  s.on('connection', (c: Socket) => {
    sockets.add(c);
    c.on('error', () => undefined);
    c.once('close', () => sockets.delete(c));
  });
  s.on('tlsClientError', () => undefined);
  return sockets;
}

const ok = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
};

const raw = (b: Buffer): Buffer => b;
const unary = (path: string): unknown => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});
/** HealthCheckResponse{status: SERVING}: field 1, varint 1 */
const SERVING = Buffer.from([0x08, 0x01]);
const EMPTY = Buffer.alloc(0);

function grpcServer(): GrpcServer {
  const s = new GrpcServer();
  s.addService({ Export: unary('/opentelemetry.proto.collector.trace.v1.TraceService/Export') } as unknown as ServiceDefinition, {
    Export: (_c: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => cb(null, EMPTY),
  });
  s.addService({ Check: unary('/grpc.health.v1.Health/Check') } as unknown as ServiceDefinition, {
    Check: (_c: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => cb(null, SERVING),
  });
  return s;
}

const bindGrpc = (s: GrpcServer, creds: ServerCredentials): Promise<number> =>
  new Promise((resolve, reject) => s.bindAsync('127.0.0.1:0', creds, (err, port) => (err ? reject(err) : resolve(port))));

interface Flippable {
  readonly port: number;
  set(failing: boolean): Promise<void>;
}

/** An OTLP/HTTP target that fails in one way when flipped. */
async function flippable(kind: FlipTarget): Promise<Flippable> {
  let failing = false;
  const hung = new Set<http.ServerResponse>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!failing) return ok(req, res);
    if (kind === 'unavailable') {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain', connection: 'close' });
      res.end('no ingesters available\n');
      return;
    }
    if (kind === 'hung') {
      req.resume(); // read the request, never answer
      hung.add(res);
      return;
    }
    ok(req, res);
  };
  const server = kind === 'expired' ? https.createServer(tls, handler) : http.createServer(handler);
  server.keepAliveTimeout = 1000;
  const sockets = track(server);
  const port = await listen(server);
  const cut = (): void => {
    for (const s of sockets) s.destroy();
    hung.clear();
  };
  return {
    port,
    async set(next) {
      if (next === failing) return;
      failing = next;
      if (kind === 'refused') {
        if (next) {
          await new Promise<void>((r) => {
            server.close(() => r());
            cut();
          });
        } else {
          await listen(server, port);
        }
      } else if (kind === 'expired') {
        (server as https.Server).setSecureContext(next ? expiredTls : tls);
        cut();
      } else {
        cut();
      }
    },
  };
}

async function main(): Promise<void> {
  const tcp = net.createServer((c) => {
    c.on('error', () => undefined);
    c.resume();
  });
  const httpServer = http.createServer(ok);
  const httpsServer = https.createServer(tls, ok);
  for (const s of [tcp, httpServer, httpsServer]) track(s);
  const grpcPlain = grpcServer();
  const grpcTls = grpcServer();
  const flips = {
    refused: await flippable('refused'),
    unavailable: await flippable('unavailable'),
    hung: await flippable('hung'),
    expired: await flippable('expired'),
  };
  const ports: TargetPorts = {
    tcp: await listen(tcp),
    http: await listen(httpServer),
    https: await listen(httpsServer),
    grpc: await bindGrpc(grpcPlain, ServerCredentials.createInsecure()),
    grpcTls: await bindGrpc(grpcTls, ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false)),
    flip: { refused: flips.refused.port, unavailable: flips.unavailable.port, hung: flips.hung.port, expired: flips.expired.port },
  };
  process.on('message', (m: ToTargets) => {
    flips[m.target]
      .set(m.failing)
      .then(() => send({ id: m.id, ok: true }))
      .catch((err: unknown) => send({ id: m.id, ok: false, error: String(err) }));
  });
  // The bench going away, for whatever reason, ends the targets too.
  process.on('disconnect', () => process.exit(0));
  send({ ready: true, ports });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench targets: ${String(err)}\n`);
  process.exit(1);
});
