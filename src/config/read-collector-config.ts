import type { CollectorModel } from './collector-model.js';
import { ConfigError } from './config-error.js';
import { child, isRaw, text, type Raw } from './collector-values.js';
import { deepFreeze } from './deep-freeze.js';
import type { ExporterSpec, Signal } from './exporter-spec.js';
import { SIGNALS } from './exporter-spec.js';
import {
  expandEnv,
  ExpansionError,
  formatPath,
  type Environment,
  type EnvReference,
  type FileReference,
  type UnsupportedReference,
} from './expand-env.js';
import { buildExporterSpec } from './build-exporter-spec.js';
import { memoryLimiterOf } from './memory-limiter-of.js';
import { mergeConfigs, sourceOf, type ConfigDocument } from './merge-config.js';
import { queueSizersOf } from './queue-sizer.js';
import { describeValue, readYamlFile } from './read-yaml-file.js';
import { checkRefusedByCollector, KEYS_RELEASE, unknownExporterKeys } from './refused-config.js';
import { finding } from '../diagnose/finding.js';
import { configProblems } from '../diagnose/static-problems.js';
import { FILE_LIMITS } from './read-bounded-file.js';
import type { SentinelConfig } from './sentinel-config.js';
import { telemetryUrlOf } from './telemetry-url.js';

export interface ReadCollectorConfigOptions {
  /** the collector's config files, merged in this order */
  readonly files: readonly string[];
  /** the environment `${env:X}` resolves against (the collector's own, when it can be read) */
  readonly env: Environment;
  /**
   * the collector process's own environment when it was read (variables it lacks come from
   * otel-sentinel's); absent or null: every variable is otel-sentinel's own
   */
  readonly collectorEnv?: Environment | null;
  /**
   * the collector's environment is the one that counts but could not be read: a variable `env`
   * lacks (without a default) cannot be checked, and is never reported as unset
   */
  readonly collectorEnvUnknown?: boolean;
  readonly sentinel: SentinelConfig;
  /** the clock, for client certificate expiry; defaults to Date.now() */
  readonly now?: number;
}

const COMMAND_LINE = 'command line';

function loadDocuments(files: readonly string[]): ConfigDocument[] {
  return files.map((file) => {
    const tree = readYamlFile(file, "the collector's config file (collector.config_files or --collector-config)", FILE_LIMITS.collectorConfig);
    if (tree === null || tree === undefined) return { file, tree: {} };
    if (!isRaw(tree)) {
      throw new ConfigError(file, '', `expected a map at the top level (receivers, processors, exporters, extensions, service), got ${describeValue(tree)}`);
    }
    return { file, tree };
  });
}

/** The signal of a pipeline id (`traces`, `metrics/prom`), or null for profiles or an unknown type. */
const signalOfPipeline = (id: string): Signal | null => {
  const type = id.split('/')[0] ?? id;
  return (SIGNALS as readonly string[]).includes(type) ? (type as Signal) : null;
};

/**
 * Exporter ids in the order pipelines first name them, with the signals their pipelines carry.
 * Every id must be defined under exporters: or, for a connector (spanmetrics, routing, forward...)
 * that joins one pipeline to another, under connectors:; connectors are left out (nothing is sent
 * over the network by them).
 */
function usedExporters(merged: Raw, docs: readonly ConfigDocument[]): Map<string, Signal[]> {
  const service = merged.service;
  const pipelines = child(service, 'pipelines');
  const file = sourceOf(docs, ['service', 'pipelines']);
  if (!isRaw(service)) throw new ConfigError(file, 'service', 'missing: the collector needs service.pipelines naming the exporters it uses');
  if (!isRaw(pipelines)) {
    throw new ConfigError(file, 'service.pipelines', `expected a map of pipelines (e.g. traces: {receivers: [otlp], exporters: [otlp]}), got ${describeValue(pipelines)}`);
  }
  const exporters = child(merged, 'exporters');
  const connectors = child(merged, 'connectors');
  const used = new Map<string, Signal[]>();
  for (const [name, p] of Object.entries(pipelines)) {
    const list = child(p, 'exporters');
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      throw new ConfigError(sourceOf(docs, ['service', 'pipelines', name, 'exporters']), `service.pipelines.${name}.exporters`, `expected a list of exporter names, got ${describeValue(list)}`);
    }
    const signal = signalOfPipeline(name);
    list.forEach((id, i) => {
      const path = ['service', 'pipelines', name, 'exporters', i];
      if (typeof id !== 'string') throw new ConfigError(sourceOf(docs, path), formatPath(path), `expected an exporter name, got ${describeValue(id)}`);
      const isExporter = isRaw(exporters) && Object.hasOwn(exporters, id);
      if (!isExporter && isRaw(connectors) && Object.hasOwn(connectors, id)) return;
      if (!isExporter) {
        throw new ConfigError(sourceOf(docs, path), formatPath(path), `names exporter "${id}", which is not defined under exporters: (nor under connectors:)`);
      }
      const signals = used.get(id) ?? [];
      if (signal && !signals.includes(signal)) signals.push(signal);
      used.set(id, signals);
    });
  }
  for (const signals of used.values()) signals.sort((a, b) => SIGNALS.indexOf(a) - SIGNALS.indexOf(b));
  return used;
}

const typeOf = (id: string): string => id.split('/')[0] ?? id;

/**
 * Reads the collector's configuration as the collector would: files merged in order, env and file
 * references expanded, every exporter its pipelines use (narrowed by `probe.exporters`), plus
 * `probe.extra_targets`, each with its static problems. Throws ConfigError on input the collector
 * itself could not start with (missing file, YAML syntax, no pipelines, a bad reference).
 */
export function readCollectorConfig(opts: ReadCollectorConfigOptions): CollectorModel {
  const { sentinel } = opts;
  const now = opts.now ?? Date.now();
  const sentinelFile = sentinel.source ?? COMMAND_LINE;
  const docs = loadDocuments(opts.files);
  let collector: Raw = {};
  let references: readonly EnvReference[] = [];
  let unresolved: readonly UnsupportedReference[] = [];
  let files: readonly FileReference[] = [];
  let used = new Map<string, Signal[]>();
  if (docs.length > 0) {
    const merged = mergeConfigs(docs);
    try {
      const expansion = expandEnv(merged, opts.env, { unknownUnset: opts.collectorEnvUnknown === true });
      collector = expansion.value as Raw;
      references = expansion.references;
      unresolved = expansion.unsupported;
      files = expansion.files;
    } catch (err) {
      if (!(err instanceof ExpansionError)) throw err;
      throw new ConfigError(sourceOf(docs, err.path), formatPath(err.path), err.detail);
    }
    checkRefusedByCollector(collector, docs);
    used = usedExporters(collector, docs);
  }
  let ids = [...used.keys()];
  const exportersBlock = child(collector, 'exporters');
  const extensions = child(collector, 'extensions');
  const enabledRaw = child(child(collector, 'service'), 'extensions');
  const enabledExtensions = Array.isArray(enabledRaw) ? enabledRaw.filter((e): e is string => typeof e === 'string') : docs.length > 0 ? [] : null;

  if (sentinel.probe.exporters.length > 0) {
    sentinel.probe.exporters.forEach((name, i) => {
      if (ids.includes(name)) return;
      const defined = isRaw(exportersBlock) && Object.hasOwn(exportersBlock, name);
      const why = !defined
        ? `"${name}" is not an exporter of the collector's config (${opts.files.join(', ') || 'no collector config'})`
        : `"${name}" is defined but no pipeline uses it, so the collector does not send to it`;
      throw new ConfigError(sentinelFile, `probe.exporters[${i}]`, `${why}; choose from: ${ids.join(', ') || '(none)'}`);
    });
    ids = ids.filter((id) => sentinel.probe.exporters.includes(id));
  }

  const collectorEnv = opts.collectorEnv ?? null;
  const common = {
    collectorReferences: references,
    unresolved,
    files,
    envOrigin: (variable: string): 'collector' | 'sidecar' =>
      collectorEnv !== null && Object.hasOwn(collectorEnv, variable) && typeof collectorEnv[variable] === 'string' ? 'collector' : 'sidecar',
    extensions: isRaw(extensions) ? extensions : {},
    enabledExtensions,
    now,
    certExpiryMs: sentinel.thresholds.certExpiryMs,
  };
  const unknownKeys = unknownExporterKeys(collector);
  const specs: ExporterSpec[] = ids.map((id) => {
    const spec = buildExporterSpec({
      ...common,
      name: id,
      type: typeOf(id),
      block: child(exportersBlock, id) ?? {},
      signals: used.get(id) ?? [],
      path: ['exporters', id],
      source: sourceOf(docs, ['exporters', id]),
      references,
    });
    const unknown = unknownKeys.get(id) ?? [];
    if (unknown.length === 0) return spec;
    const warnings = unknown.map((u) =>
      finding('unknown_exporter_key', {
        exporter: id,
        key: u.key,
        type: u.type,
        release: KEYS_RELEASE,
        source: sourceOf(docs, ['exporters', id, u.key]),
        ...(u.hint !== undefined ? { hint: u.hint } : {}),
      }),
    );
    return { ...spec, configProblems: [...spec.configProblems, ...configProblems(warnings, [])] };
  });

  sentinel.probe.extraTargets.forEach((raw, i) => {
    const path = ['probe', 'extra_targets', i];
    let expansion;
    try {
      expansion = expandEnv(raw, opts.env, { unknownUnset: opts.collectorEnvUnknown === true });
    } catch (err) {
      if (!(err instanceof ExpansionError)) throw err;
      throw new ConfigError(sentinelFile, formatPath([...path, ...err.path]), err.detail);
    }
    const block = expansion.value as Raw;
    const name = text(block.name) ?? '';
    if (specs.some((s) => s.name === name)) {
      throw new ConfigError(sentinelFile, `probe.extra_targets[${i}].name`, `"${name}" is already an exporter of the collector's config; give the extra target another name`);
    }
    specs.push(
      buildExporterSpec({
        ...common,
        name,
        type: text(block.type) ?? '',
        block,
        path,
        source: sentinelFile,
        references: expansion.references.map((r) => ({ ...r, path: [...path, ...r.path] })),
        unresolved: expansion.unsupported.map((r) => ({ ...r, path: [...path, ...r.path] })),
        files: expansion.files.map((r) => ({ ...r, path: [...path, ...r.path] })),
      }),
    );
  });

  const referenced = new Set<string>();
  for (const f of files) referenced.add(f.reference.slice('${file:'.length, -1));
  return deepFreeze({
    files: [...opts.files],
    referencedFiles: [...referenced],
    exporters: specs,
    telemetryUrl: sentinel.collector.telemetryUrl ?? (docs.length > 0 ? telemetryUrlOf(collector) : ''),
    memoryLimiter: memoryLimiterOf(collector),
    queueSizers: queueSizersOf(collector),
  });
}
