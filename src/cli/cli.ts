import { parseArgs, type ParseArgsConfig } from 'node:util';
import { packageVersion } from '../runtime/version.js';
import { sizeHeapToMemoryLimit } from '../runtime/heap-limit.js';
import { tuneHeap } from '../runtime/heap-tuning.js';
import { ConfigError } from '../config/config-error.js';
import { errorDocument, FAIL_ON, type Command, type FailOn, type Io } from './command.js';
import { markStartup } from '../runtime/startup-steps.js';

export type { Command, CommonFlags, FailOn, Io } from './command.js';
export { errorDocument, FAIL_ON } from './command.js';

export const USAGE = `otel-sentinel: watches an OpenTelemetry Collector's exporters and explains why they fail

usage:
  otel-sentinel [serve] [--config FILE] [common flags]   run the daemon (default)
  otel-sentinel check [--config FILE] [--exporter NAME]... [--json] [--fail-on LEVEL] [--no-collector]
                      [common flags]                     probe everything once and report
  otel-sentinel demo [--listen HOST:PORT]                demo backends and the daemon watching them
  otel-sentinel --help | --version

common flags:
  --config FILE            otel-sentinel's config (default: $OTEL_SENTINEL_CONFIG, else built-in defaults)
  --collector-config FILE  the collector's config; repeatable, merged like the collector merges them
  --listen HOST:PORT       address of /metrics, /livez, /readyz, /api/v1/diagnosis and the status page
  --log-level LEVEL        trace, debug, info, warn, error, fatal or silent

check:
  --exporter NAME          only this exporter (repeatable), e.g. otlp/tempo
  --json                   print the diagnosis document instead of the report (an error document
                           when the configuration is unusable)
  --fail-on LEVEL          what makes the run exit 1: warning (default: any problem, or an exporter
                           down), critical (only critical problems), never
  --no-collector           check the configs and probe the exporters without a collector process:
                           no process, environment or internal metrics are read (for CI, before a deploy)

exit codes: serve/demo 0 after SIGTERM/SIGINT, 2 unusable configuration;
            check 0 all healthy (or nothing at the --fail-on level), 1 a problem is active,
                  2 unusable configuration or arguments
`;

const OPTIONS = {
  config: { type: 'string' },
  'collector-config': { type: 'string', multiple: true },
  listen: { type: 'string' },
  'log-level': { type: 'string' },
  exporter: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'fail-on': { type: 'string' },
  'no-collector': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

/** argv (without node and the script) -> command; throws an Error with a one-line message on misuse. */
export function parseCommand(argv: readonly string[], env: Io['env']): Command {
  const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new Error(`unexpected argument "${positionals[1]}"`);
  const word = positionals[0] ?? 'serve';
  if (!['serve', 'check', 'demo'].includes(word)) throw new Error(`unknown command "${word}" (serve, check or demo)`);
  const name = values.help ? 'help' : values.version ? 'version' : (word as Command['name']);
  if (word !== 'check' && (values.exporter || values.json || values['fail-on'] !== undefined || values['no-collector'])) {
    throw new Error('--exporter, --json, --fail-on and --no-collector belong to "check"');
  }
  const failOn = values['fail-on'] ?? 'warning';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new Error(`--fail-on "${failOn}": expected one of ${FAIL_ON.join(', ')}`);
  }
  const configFile = values.config ?? (env.OTEL_SENTINEL_CONFIG || null);
  return {
    name,
    flags: {
      configFile,
      collectorConfigFiles: values['collector-config'],
      listen: values.listen,
      logLevel: values['log-level'],
    },
    exporters: values.exporter ?? [],
    json: values.json ?? false,
    failOn: failOn as FailOn,
    noCollector: values['no-collector'] ?? false,
  };
}

/**
 * Runs a command; resolves to the exit code. Only bin.ts exits the process. This is the one place
 * where an unusable configuration (a ConfigError from any command) becomes exit code 2.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommand(argv, io.env);
  } catch (err) {
    const message = (err as Error).message;
    // --json asks for a document on stdout, whatever went wrong
    if (argv.includes('--json')) io.stdout.write(errorDocument('usage', message));
    io.stderr.write(`otel-sentinel: ${message}\nRun "otel-sentinel --help" for usage.\n`);
    return 2;
  }
  try {
    return await run(cmd, io);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (cmd.json) io.stdout.write(errorDocument('configuration', err.message));
    io.stderr.write(`otel-sentinel: configuration unusable: ${err.message}\n`);
    return 2;
  }
}

async function run(cmd: Command, io: Io): Promise<number> {
  switch (cmd.name) {
    case 'help':
      io.stdout.write(USAGE);
      return 0;
    case 'version':
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'check': {
      const { runCheck } = await import('./check.js');
      return runCheck(cmd, io);
    }
    case 'demo': {
      tuneHeap();
      markStartup('cli');
      const { runDemo } = await import('../demo/run-demo.js');
      markStartup('modules'); // the demo's `config` step includes starting its backends
      return runDemo(cmd, io);
    }
    case 'serve': {
      // under a memory limit, may start the process again in place with a heap limit (never returns then)
      sizeHeapToMemoryLimit();
      tuneHeap();
      markStartup('cli');
      const { runDaemon } = await import('../daemon.js');
      markStartup('modules');
      return runDaemon(cmd.flags, io);
    }
  }
}
