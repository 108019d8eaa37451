/**
 * What a command gets from the command line and the process: shared by the CLI (which parses
 * it) and the commands it runs (which import only this file, not the CLI).
 */

/** Where the CLI writes, and what it reads of the process: injectable for tests. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface CommonFlags {
  readonly configFile: string | null;
  readonly collectorConfigFiles?: string[];
  readonly listen?: string;
  readonly logLevel?: string;
}

export interface Command {
  readonly name: 'serve' | 'check' | 'demo' | 'help' | 'version';
  readonly flags: CommonFlags;
  readonly exporters: readonly string[];
  readonly json: boolean;
  /** check: the lowest severity that makes the run fail; 'never' always exits 0 after a round */
  readonly failOn: FailOn;
  /** check: leave the collector process (and its environment and internal metrics) alone */
  readonly noCollector: boolean;
}

export const FAIL_ON = ['warning', 'critical', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/**
 * What `check --json` prints when no round could run (exit 2): `error` says which kind
 * (`configuration`: a config file is unusable; `usage`: the arguments), `message` the one line.
 */
export function errorDocument(kind: 'configuration' | 'usage', message: string): string {
  return `${JSON.stringify({ healthy: false, error: kind, message, exit_code: 2 }, null, 2)}\n`;
}
