/** otel-sentinel's own configuration after defaults and validation (docs/configuration.md). Frozen. */
export interface SentinelConfig {
  /** the file it was read from; null when built from defaults and flags only */
  readonly source: string | null;
  readonly listen: { readonly host: string; readonly port: number };
  readonly collector: {
    readonly configFiles: readonly string[];
    readonly process: { readonly pid: number; readonly pidFile: string; readonly name: string };
    /** undefined: derive from the collector's config; '': off */
    readonly telemetryUrl: string | undefined;
    readonly useProcessEnvironment: boolean;
  };
  readonly probe: {
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly mode: 'export' | 'handshake';
    readonly exporters: readonly string[];
    /** raw exporter blocks with `name` and `type`, read like a collector exporter */
    readonly extraTargets: readonly Readonly<Record<string, unknown>>[];
  };
  readonly thresholds: {
    readonly fdRatio: number;
    readonly memoryRatio: number;
    readonly certExpiryMs: number;
    readonly slowResponseMs: number;
    readonly queueRatio: number;
  };
  readonly log: { readonly level: string };
  /** the daemon's own HTTP server, configured like a Prometheus exporter's web config */
  readonly web: {
    /** both set: serve HTTPS */
    readonly tlsCertFile: string;
    readonly tlsKeyFile: string;
    /** user -> bcrypt hash; empty: no authentication */
    readonly basicAuthUsers: Readonly<Record<string, string>>;
    /** paths served without authentication (default /livez and /readyz, for the kubelet) */
    readonly unauthenticatedPaths: readonly string[];
    /** `POST /-/reload`, off unless enabled */
    readonly enableLifecycle: boolean;
    /** concurrent connections accepted */
    readonly maxConnections: number;
  };
}
