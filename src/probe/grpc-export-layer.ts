import { GRPC_STATUS as grpcStatus } from './grpc-status.js';
import { fail, OBSERVED, type Layer } from './layer.js';

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(grpcStatus)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

/** grpc-js reports a non-gRPC HTTP answer as this detail (call-stream's fixed wording). */
const HTTP_STATUS_DETAIL = /^Received HTTP status code (\d{3})/;

/**
 * One empty OTLP Export over gRPC (an ExportTraceServiceRequest with no spans is zero bytes), with
 * the exporter's headers as metadata, its compression and its timeout, through the prober's kept
 * grpc-js channel to the address the probe's own connection reached.
 */
export const grpcExportLayer: Layer = {
  name: 'request',
  phase: 'request_seconds',
  waitsFor: 'the Export call',
  skip: (run) => run.ctx.mode === 'handshake',
  async run(run) {
    const keeper = run.grpc!;
    const answer = await keeper.export(run.connected!, run.proxy, run.prep.spec.timeoutMs, run.signal, run.authHeaders);
    if (answer.code === grpcStatus.OK) return undefined;
    if (answer.code === grpcStatus.CANCELLED && run.signal.aborted) {
      return fail('request', OBSERVED.timeout, { phase: 'the Export call' });
    }
    if (answer.code === grpcStatus.DEADLINE_EXCEEDED) {
      return fail('request', OBSERVED.timeout, { phase: 'the Export call', timeout_ms: run.prep.spec.timeoutMs });
    }
    const http = HTTP_STATUS_DETAIL.exec(answer.details);
    return fail('request', OBSERVED.grpcStatus, {
      grpc_status: NAMES[answer.code] ?? String(answer.code),
      grpc_details: answer.details.slice(0, 300),
      status: http ? Number(http[1]) : null,
    });
  },
};
