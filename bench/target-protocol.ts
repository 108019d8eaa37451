/** The messages between the bench and its targets process (over the child's IPC channel). */

/** Targets that the detection part flips between healthy and failing. */
export const FLIP_TARGETS = ['refused', 'unavailable', 'hung', 'expired'] as const;
export type FlipTarget = (typeof FLIP_TARGETS)[number];

export interface TargetPorts {
  /** accepts TCP connections and reads until the peer closes */
  readonly tcp: number;
  /** OTLP/HTTP: POST answers 200 */
  readonly http: number;
  readonly https: number;
  /** OTLP/gRPC: TraceService/Export and grpc.health.v1.Health/Check answer OK / SERVING */
  readonly grpc: number;
  readonly grpcTls: number;
  /** OTLP/HTTP (https for `expired`) targets that flip on request */
  readonly flip: Readonly<Record<FlipTarget, number>>;
}

export interface TargetsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly expiredCertFile: string;
  readonly expiredKeyFile: string;
}

export type ToTargets = { readonly id: number; readonly target: FlipTarget; readonly failing: boolean };
export type FromTargets =
  | { readonly ready: true; readonly ports: TargetPorts }
  | { readonly id: number; readonly ok: boolean; readonly error?: string };
