import pino, { type DestinationStream, type Logger } from 'pino';

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
