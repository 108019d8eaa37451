import type { CommonFlags } from '../cli/command.js';
import type { CollectorModel } from './collector-model.js';
import type { SentinelConfig } from './sentinel-config.js';
import { loadSentinelConfig } from './load-sentinel-config.js';
import { readCollectorConfig } from './read-collector-config.js';

/** Finds the collector process, for its environment. */
export interface CollectorLocator {
  locate(config: SentinelConfig): Promise<{ pid: number; env: Record<string, string> | null } | null>;
  /**
   * true: no collector is looked for and otel-sentinel's own environment is the one to check
   * (`check --no-collector`), so a variable unset here is unset
   */
  readonly ownEnvironment?: boolean;
}

export interface Loaded {
  readonly config: SentinelConfig;
  readonly model: CollectorModel;
  /** the environment ${env:X} and proxy variables were resolved from */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** every file the result depends on, for the watcher */
  readonly files: readonly string[];
  /** the collector process whose environment was used; null when ours was */
  readonly collectorPid: number | null;
}

/**
 * Reads otel-sentinel's config, finds the collector for its environment, and reads the collector's
 * config with it. Throws ConfigError when anything is unusable; the caller keeps what it had.
 */
export async function loadAll(flags: CommonFlags, locator: CollectorLocator, ownEnv: Readonly<Record<string, string | undefined>>): Promise<Loaded> {
  const config = loadSentinelConfig(flags.configFile, {
    listen: flags.listen,
    collectorConfigFiles: flags.collectorConfigFiles,
    logLevel: flags.logLevel,
  });
  let env: Readonly<Record<string, string | undefined>> = ownEnv;
  let collectorPid: number | null = null;
  let collectorEnv: Readonly<Record<string, string>> | null = null;
  if (config.collector.useProcessEnvironment) {
    const found = await locator.locate(config).catch(() => null);
    // The collector's own environment first, then ours for what it lacks (as a sidecar shares ConfigMaps, not env).
    if (found?.env) {
      env = { ...ownEnv, ...found.env };
      collectorEnv = found.env;
      collectorPid = found.pid;
    }
  }
  // The collector's environment counts but was not read (no process found yet, or its environ not
  // readable): a variable we lack may well be set there, so it cannot be checked rather than unset.
  const collectorEnvUnknown = config.collector.useProcessEnvironment && collectorEnv === null && locator.ownEnvironment !== true;
  const model = readCollectorConfig({ files: config.collector.configFiles, env, collectorEnv, collectorEnvUnknown, sentinel: config });
  // a `${file:}` value read from a file changes with it, as the collector's file provider sees it;
  // so do an exporter's TLS files: a rotated CA or client certificate is probed with at once
  const tlsFiles = model.exporters.flatMap((e) => [e.tls.caFile, e.tls.certFile, e.tls.keyFile]).filter((f): f is string => typeof f === 'string' && f !== '');
  const files = [...new Set([...(config.source ? [config.source] : []), ...config.collector.configFiles, ...(model.referencedFiles ?? []), ...tlsFiles])];
  return { config, model, env, files, collectorPid };
}
