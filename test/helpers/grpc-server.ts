/**
 * A real OTLP gRPC server on loopback (grpc-js), implementing TraceService/Export with a raw
 * handler: configurable status, required bearer token, delay, TLS and mTLS. Records every call.
 *
 *   const s = await startGrpcServer({ status: status.UNAVAILABLE, details: 'ingesters down' });
 *   ... s.port, s.calls ...
 *   await s.close();
 */
import { Server, ServerCredentials, status as grpcStatus, type Metadata, type ServiceDefinition, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export interface GrpcServerOptions {
  /** status to answer (default OK) */
  readonly status?: number;
  readonly details?: string;
  /** when set, calls without `authorization: Bearer TOKEN` get UNAUTHENTICATED */
  readonly requiredToken?: string;
  /** wait before answering */
  readonly delayMs?: number;
  /** serve TLS with this certificate; `clientCa` also requires a client certificate signed by it */
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
  /** false: serve another service, so Export is UNIMPLEMENTED */
  readonly implementExport?: boolean;
  /** the one Export method served (default the traces one), e.g. MetricsService's */
  readonly exportPath?: string;
}

export interface RecordedGrpcCall {
  readonly metadata: Record<string, unknown>;
  readonly bytes: number;
}

export interface RunningGrpcServer {
  readonly port: number;
  readonly calls: RecordedGrpcCall[];
  close(): Promise<void>;
}

const raw = (b: Buffer): Buffer => b;

function definition(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
      originalName: 'export',
    },
  } as unknown as ServiceDefinition;
}

export async function startGrpcServer(o: GrpcServerOptions = {}): Promise<RunningGrpcServer> {
  const server = new Server();
  const calls: RecordedGrpcCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const handler = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const md: Metadata = call.metadata;
    calls.push({ metadata: md.getMap(), bytes: call.request?.length ?? 0 });
    const answer = (): void => {
      if (o.requiredToken !== undefined && md.get('authorization')[0] !== `Bearer ${o.requiredToken}`) {
        callback({ code: grpcStatus.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
        return;
      }
      const code = o.status ?? grpcStatus.OK;
      if (code === grpcStatus.OK) callback(null, Buffer.alloc(0));
      else callback({ code, details: o.details ?? '' });
    };
    if (o.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, o.delayMs);
      timers.add(t);
    } else answer();
  };
  const path = o.implementExport === false ? '/some.other.v1.Service/Export' : (o.exportPath ?? EXPORT_PATH);
  server.addService(definition(path), { Export: handler });
  const creds = o.tls
    ? ServerCredentials.createSsl(
        o.tls.clientCa ? Buffer.from(o.tls.clientCa) : null,
        [{ private_key: Buffer.from(o.tls.key), cert_chain: Buffer.from(o.tls.cert) }],
        o.tls.clientCa !== undefined,
      )
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port,
    calls,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.forceShutdown();
    },
  };
}
