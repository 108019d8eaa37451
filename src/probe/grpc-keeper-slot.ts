import type { GrpcClientKeeper } from './grpc-client-keeper.js';
import type { PreparedExporter } from './prepare-exporter.js';

type KeeperModule = typeof import('./grpc-client-keeper.js');
let loading: Promise<KeeperModule> | null = null;

/**
 * grpc-js (with the keeper that holds its channels) is loaded the first time a gRPC exporter is
 * set up, not when the daemon starts: a config of OTLP/HTTP exporters never pays for it (2 MB of
 * RSS on Node.js 24, 6 MB on Node.js 20, on top of the modules the daemon loads anyway, and its
 * share of start-up).
 */
export function loadGrpcKeeper(): Promise<KeeperModule> {
  loading ??= import('./grpc-client-keeper.js');
  return loading;
}

/**
 * The place of one gRPC exporter's GrpcClientKeeper, made on first use once grpc-js is loaded.
 * Loading starts when the slot is made, so that it is usually done by the first probe.
 * Lifecycle: `get()` before each probe, `reset()` after a failed one, `close()` once.
 */
export class GrpcKeeperSlot {
  private keeper: GrpcClientKeeper | null = null;
  private readonly module: Promise<KeeperModule>;

  constructor(private readonly prep: PreparedExporter) {
    this.module = loadGrpcKeeper();
    // a failed load shows on the probe that needs the keeper, not as an unhandled rejection
    this.module.catch(() => {});
  }

  /** The keeper once made, else null: then `get()` makes it. */
  current(): GrpcClientKeeper | null {
    return this.keeper;
  }

  /** The keeper; rejects only if grpc-js could not be loaded. */
  async get(): Promise<GrpcClientKeeper> {
    if (this.keeper) return this.keeper;
    const { GrpcClientKeeper } = await this.module;
    this.keeper ??= new GrpcClientKeeper(this.prep);
    return this.keeper;
  }

  /** Drops the channel; the next export opens a new one. */
  reset(): void {
    this.keeper?.reset();
  }

  close(): void {
    this.keeper?.close();
  }
}
