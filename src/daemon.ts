import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { CommonFlags, Io } from './cli/command.js';
import { ConfigError } from './config/config-error.js';
import type { SentinelConfig } from './config/sentinel-config.js';
import { createLogger } from './runtime/log.js';
import { loadAll, type Loaded } from './config/load-all.js';
import { COLLECTOR_TASK, createMonitor, type Monitor } from './monitor.js';
import { createScheduler, type Scheduler } from './schedule/scheduler.js';
import { createProber } from './probe/create-prober.js';
import { createCollectorWatcher } from './collector/collector-watcher.js';
import { createTelemetryScraper } from './collector/telemetry-scraper.js';
import { createMetrics } from './metrics/metrics.js';
import { createMetricsBatcher } from './metrics/metrics-batcher.js';
import { createHttpServer } from './http/server.js';
import { watchFiles, type FileWatch } from './config/watch-files.js';
import { packageVersion } from './runtime/version.js';
import { markStartup, startupReport } from './runtime/startup-steps.js';

export interface DaemonOptions {
  /** where the daemon logs (the demo and tests pass theirs); default: JSON on stdout at log.level */
  readonly logger?: Logger;
}

export interface RunningDaemon {
  readonly address: { host: string; port: number };
  /** re-reads every config file; `trigger` names the cause in the log (default "api") */
  reload(trigger?: string): Promise<{ ok: boolean; error?: string }>;
  stop(): Promise<void>;
  readonly monitor: Monitor;
}

const SHUTDOWN_GRACE_MS = 1500;

/**
 * Starts the daemon: config, monitor, scheduler and HTTP server. Throws ConfigError when the
 * configuration is unusable at start (the caller exits 2). Lifecycle: start once, `reload()` any
 * number of times, `stop()` once.
 */
export async function startDaemon(flags: CommonFlags, io: Io, opts: DaemonOptions = {}): Promise<RunningDaemon> {
  const collector = createCollectorWatcher();
  const telemetry = createTelemetryScraper();
  let loaded: Loaded = await loadAll(flags, collector, io.env);
  markStartup('config');
  const logger = opts.logger ?? createLogger(loaded.config.log.level);
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: packageVersion() });
  metrics.setConfigReloadSuccessful(true);

  let reloadedFor: number | null = null;
  // the first round is done: every exporter probed once and the collector inspected; stays true
  let ready = false;
  const batcher = createMetricsBatcher({
    metrics,
    source: { takeChanges: () => monitor.takeChanges(), diagnosis: () => monitor.diagnosis() },
  });
  const monitor = createMonitor({
    logger,
    createProber,
    collector,
    telemetry,
    onProbe: (exporter, result, previous) => batcher.probed(exporter, result, previous),
    // A collector that came back (restart, new pid) may carry a new environment: ${env:X}
    // references and proxy variables are resolved again from it.
    onCollector: (report) => {
      if (!loaded.config.collector.useProcessEnvironment || report.pid === null) return;
      if (report.pid === loaded.collectorPid || report.pid === reloadedFor) return;
      reloadedFor = report.pid; // once per new process, even if its environment stays unreadable
      void reload(loaded.collectorPid === null ? 'collector found' : 'collector restarted');
    },
    onChange: () => {
      batcher.changed();
      if (!ready && monitor.complete()) {
        ready = true;
        markStartup('first_round');
        logger.info({ startup: startupReport() }, 'otel-sentinel ready: the first round is done');
      }
    },
  });
  monitor.apply(loaded.config, loaded.model, loaded.env);

  let scheduler: Scheduler = newScheduler(loaded.config);
  scheduler.set(monitor.tasks());
  function newScheduler(config: SentinelConfig): Scheduler {
    return createScheduler({
      intervalMs: config.probe.intervalMs,
      timeoutMs: config.probe.timeoutMs,
      onStart: (key, lagMs) => {
        if (key !== COLLECTOR_TASK) metrics.observeScheduleLag(lagMs / 1000);
      },
    });
  }

  const server = createHttpServer({
    listen: loaded.config.listen,
    web: loaded.config.web,
    registry,
    diagnosis: () => (ready ? monitor.diagnosis() : null),
    live: () => Date.now() - scheduler.lastActivity() < 3 * currentConfig().probe.intervalMs + currentConfig().probe.timeoutMs,
    ready: () => ready,
    reload: loaded.config.web.enableLifecycle ? () => reload('http') : undefined,
    logger,
  });
  function currentConfig(): SentinelConfig {
    return loaded.config;
  }

  let reloading: Promise<{ ok: boolean; error?: string }> | null = null;
  let again: Promise<{ ok: boolean; error?: string }> | null = null;
  async function doReload(trigger: string): Promise<{ ok: boolean; error?: string }> {
    try {
      const next = await loadAll(flags, collector, io.env);
      // a stopped monitor must not get fresh probers (gRPC channels) that nothing would close
      if (stopping) return { ok: false, error: 'otel-sentinel is stopping' };
      const prev = loaded.config;
      loaded = next;
      logger.level = next.config.log.level;
      const { added, removed, kept } = monitor.apply(next.config, next.model, next.env);
      if (prev.probe.intervalMs !== next.config.probe.intervalMs || prev.probe.timeoutMs !== next.config.probe.timeoutMs) {
        const old = scheduler;
        scheduler = newScheduler(next.config);
        await old.stop();
      }
      scheduler.set(monitor.tasks());
      if (`${prev.listen.host}:${prev.listen.port}` !== `${next.config.listen.host}:${next.config.listen.port}`) {
        logger.warn('listen address changed: it takes effect at the next restart');
      }
      watch?.update(next.files);
      metrics.setConfigReloadSuccessful(true);
      batcher.flush();
      logger.info({ trigger, added, removed, kept: kept.length }, 'configuration reloaded');
      return { ok: true };
    } catch (err) {
      metrics.setConfigReloadSuccessful(false);
      const error = err instanceof ConfigError ? err.message : `reload failed: ${(err as Error).message}`;
      logger.error({ trigger }, `configuration rejected, the last good one stays in force: ${error}`);
      return { ok: false, error };
    }
  }
  function reload(trigger = 'api'): Promise<{ ok: boolean; error?: string }> {
    if (!reloading) {
      reloading = doReload(trigger).finally(() => {
        reloading = null;
      });
      return reloading;
    }
    // One reload at a time. A trigger arriving meanwhile may have seen files newer than the running
    // reload read (the watcher has already taken their digests): one more reload follows it, shared
    // by every trigger that arrives before it starts.
    again ??= reloading.then(() => {
      again = null;
      return reload(trigger);
    });
    return again;
  }

  const address = await server.start();
  markStartup('listening');
  const watch: FileWatch | null = watchFiles(loaded.files, () => void reload('file change'));
  logger.info({ address: `${address.host}:${address.port}`, exporters: loaded.model.exporters.map((e) => e.name) }, 'otel-sentinel started');

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      watch?.close();
      batcher.stop();
      const grace = new Promise<void>((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref());
      await Promise.race([Promise.all([scheduler.stop(), server.close()]), grace]);
      monitor.close();
      logger.info('otel-sentinel stopped');
      logger.flush?.();
    })());

  return { address, reload: (trigger = 'api') => reload(trigger), stop, monitor };
}

/**
 * `otel-sentinel serve`: runs until SIGTERM/SIGINT; resolves to the exit code. Throws ConfigError
 * when the configuration is unusable at start (the CLI exits 2).
 */
export async function runDaemon(flags: CommonFlags, io: Io): Promise<number> {
  const daemon = await startDaemon(flags, io);
  const onHup = (): void => void daemon.reload('SIGHUP');
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  process.off('SIGHUP', onHup);
  await daemon.stop();
  return 0;
}
