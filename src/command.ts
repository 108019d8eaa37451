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
}
