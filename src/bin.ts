#!/usr/bin/env node
import { main } from './cli.js';

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
