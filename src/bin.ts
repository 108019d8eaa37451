#!/usr/bin/env node
import { enableCompileCache } from './runtime/compile-cache.js';
import { markStartup } from './runtime/startup-steps.js';

markStartup('node');

// Before anything else is imported: every module after this comes from the compile cache.
enableCompileCache();

// grpc-js sets the TLS server name to the endpoint's IP when the endpoint is an IP literal, which
// Node answers with a DEP0123 warning on stderr. The probe does exactly what the collector does
// there; the warning would only confuse whoever reads the report.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const opt = rest[0];
  const code = typeof opt === 'object' && opt !== null ? (opt as { code?: string }).code : rest[1];
  if (code === 'DEP0123') return;
  (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const { main } = await import('./cli/cli.js');

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    // Lingering sockets of aborted probes must not hold the process after a clean shutdown.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`otel-sentinel: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(70);
  },
);
