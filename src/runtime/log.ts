import pino, { type DestinationStream, type Logger } from 'pino';
import type { CollectorDiagnosis, ExporterDiagnosis } from '../diagnose/diagnosis.js';

/**
 * The daemon's JSON logger. Messages never carry secrets (problems are redacted where they are
 * made); the redact paths are a second guard for fields that could hold one.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { name: 'otel-sentinel' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['headers', '*.headers', 'secrets', '*.secrets', 'authorization', '*.authorization', 'token', '*.token', 'password', '*.password'],
        censor: '[REDACTED]',
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** One log record as a view of the diagnosis: its level, its fields and its message. */
export interface LogRecord {
  readonly level: 'warn' | 'info';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly msg: string;
}

/**
 * The record for an exporter whose state or problems changed: its main problem (critical first),
 * at `warn` when the state is `down`; without a problem, "healthy" (`first`) or "recovered".
 */
export function exporterLogRecord(e: ExporterDiagnosis, first: boolean): LogRecord {
  const fields = { exporter: e.name, endpoint: e.endpoint, state: e.state };
  const main = e.problems.find((p) => p.severity === 'critical') ?? e.problems[0];
  if (main) {
    return {
      level: e.state === 'down' ? 'warn' : 'info',
      fields: { ...fields, cause: main.cause, reason: main.reason, severity: main.severity, fix: main.fix },
      msg: `${e.name}: ${main.cause}/${main.reason}: ${main.message}`,
    };
  }
  return { level: 'info', fields, msg: first ? `${e.name}: healthy` : `${e.name}: recovered, exporting works end to end` };
}

/** The records for the collector whose problems changed: one per problem, or one saying none. */
export function collectorLogRecords(c: CollectorDiagnosis): LogRecord[] {
  if (c.problems.length === 0) return [{ level: 'info', fields: { state: c.state, pid: c.pid }, msg: 'collector: no problems' }];
  return c.problems.map((p) => ({
    level: 'warn',
    fields: { state: c.state, cause: p.cause, reason: p.reason, severity: p.severity, fix: p.fix },
    msg: `collector: ${p.cause}/${p.reason}: ${p.message}`,
  }));
}
