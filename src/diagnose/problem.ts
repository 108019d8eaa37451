/**
 * The vocabulary every view shares: eight causes, two severities, and the problem record that the
 * classifier produces and metrics, the diagnosis, the status page, logs and `check` only display.
 */

/** Causes an exporter can have, in the order docs/reasons.md lists them. */
export const EXPORTER_CAUSES = ['network', 'endpoint', 'tls', 'auth', 'backend', 'protocol', 'queue'] as const;
/** The collector process's own cause. */
export const COLLECTOR_CAUSES = ['resources'] as const;
export const CAUSES = [...EXPORTER_CAUSES, ...COLLECTOR_CAUSES] as const;

export type ExporterCause = (typeof EXPORTER_CAUSES)[number];
export type Cause = (typeof CAUSES)[number];

/** `critical`: telemetry is being or will be lost now; `warning`: it will be, soon. */
export type Severity = 'critical' | 'warning';

export interface Problem {
  readonly cause: Cause;
  /** snake_case code from the catalogue (src/diagnose/catalogue.ts) */
  readonly reason: string;
  readonly severity: Severity;
  /** what was seen, with the raw detail (error code, status, address, certificate) */
  readonly message: string;
  /** what to change: the config key, the file or the command to run */
  readonly fix: string;
}
