import { ConfigError } from './config-error.js';
import type { SentinelConfig } from './sentinel-config.js';
import { deepFreeze } from './deep-freeze.js';
import { DurationSyntaxError, formatDuration, parseDuration } from './duration.js';
import { LISTEN_FORM, parseListen } from './parse-listen.js';
import { quote } from './quote.js';
import { describeValue, isMap, readYamlFile } from './read-yaml-file.js';
import { FILE_LIMITS } from './read-bounded-file.js';
import { OTLP_TYPES } from './exporter-kinds.js';

/** Flags given on the command line; each one set overrides the file. */
export interface SentinelFlags {
  readonly listen?: string;
  readonly collectorConfigFiles?: readonly string[];
  readonly logLevel?: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** The types an extra target may have: the OTLP kinds of the exporter kinds table. */
export const EXTRA_TARGET_TYPES = OTLP_TYPES;
const COMMAND_LINE = 'command line';
/** $2a$, $2b$ or $2y$, a two-digit cost, 22 characters of salt and 31 of hash */
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** The configuration with no file and no flags (docs/configuration.md). */
export function defaultSentinelConfig(): SentinelConfig {
  return {
    source: null,
    listen: { host: '0.0.0.0', port: 13134 },
    collector: {
      configFiles: ['/etc/otelcol/config.yaml'],
      process: { pid: 0, pidFile: '', name: '' },
      telemetryUrl: undefined,
      useProcessEnvironment: true,
    },
    probe: { intervalMs: 15_000, timeoutMs: 5_000, mode: 'export', exporters: [], extraTargets: [] },
    thresholds: {
      fdRatio: 0.8,
      memoryRatio: 0.85,
      certExpiryMs: 336 * 3_600_000,
      slowResponseMs: 2_000,
      queueRatio: 0.7,
    },
    log: { level: 'info' },
    web: {
      tlsCertFile: '',
      tlsKeyFile: '',
      basicAuthUsers: {},
      unauthenticatedPaths: ['/livez', '/readyz'],
      enableLifecycle: false,
      maxConnections: 1024,
    },
  };
}

type Raw = Record<string, unknown>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

const SECTIONS: Readonly<Record<string, readonly string[]>> = {
  '': ['listen', 'collector', 'probe', 'thresholds', 'log', 'web'],
  collector: ['config_files', 'process', 'telemetry_url', 'use_process_environment'],
  'collector.process': ['pid', 'pid_file', 'name'],
  probe: ['interval', 'timeout', 'mode', 'exporters', 'extra_targets'],
  thresholds: ['fd_ratio', 'memory_ratio', 'cert_expiry', 'slow_response', 'queue_ratio'],
  log: ['level'],
  web: ['tls_cert_file', 'tls_key_file', 'basic_auth_users', 'unauthenticated_paths', 'enable_lifecycle', 'max_connections'],
};

/** Validates one file's values; every error names the file and the dotted key. */
class Checker {
  constructor(readonly file: string) {}

  fail(key: string, problem: string): never {
    throw new ConfigError(this.file, key, problem);
  }

  /** A section: absent or null is empty; anything else must be a map of known keys. */
  section(parent: Raw, key: string, path: string): Raw {
    const v = parent[key];
    if (v === undefined || v === null) return {};
    if (!isMap(v)) this.fail(path, `expected a map with the keys ${SECTIONS[path]!.join(', ')}, got ${describeValue(v)}`);
    this.known(v, path);
    return v;
  }

  known(obj: Raw, path: string): void {
    const allowed = SECTIONS[path]!;
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) {
        const where = path === '' ? 'the top-level keys are' : `the keys of ${path} are`;
        this.fail(path === '' ? k : `${path}.${k}`, `unknown key; ${where} ${allowed.join(', ')}`);
      }
    }
  }

  string(obj: Raw, key: string, path: string, fallback: string): string {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${describeValue(v)}`);
    return v;
  }

  bool(obj: Raw, key: string, path: string, fallback: boolean): boolean {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(path, `expected true or false, got ${describeValue(v)}`);
    return v;
  }

  integer(obj: Raw, key: string, path: string, fallback: number, min: number): number {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.fail(path, `expected a whole number of at least ${min}, got ${describeValue(v)}`);
    }
    return v;
  }

  ratio(obj: Raw, key: string, path: string, fallback: number): number {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
      this.fail(path, `expected a ratio greater than 0 and at most 1 (e.g. 0.8), got ${describeValue(v)}`);
    }
    return v;
  }

  /** A Go-style duration; `allowZero` for thresholds where 0 turns the check off. */
  duration(obj: Raw, key: string, path: string, fallbackMs: number, allowZero: boolean): number {
    const v = obj[key];
    if (v === undefined || v === null) return fallbackMs;
    const form = 'a duration like "15s", "500ms" or "1m30s" (units ns, us, ms, s, m, h)';
    if (typeof v !== 'string' && !(typeof v === 'number' && v === 0)) this.fail(path, `expected ${form}, got ${describeValue(v)}`);
    let ms: number;
    try {
      ms = parseDuration(String(v));
    } catch (err) {
      const why = err instanceof DurationSyntaxError ? err.message : 'invalid duration';
      return this.fail(path, `expected ${form}, got ${quote(String(v))} (${why})`);
    }
    if (ms < 0 || (ms === 0 && !allowZero)) {
      this.fail(path, `expected a positive duration${allowZero ? ' or 0 to turn it off' : ''}, got ${quote(String(v))}`);
    }
    return ms;
  }

  stringList(obj: Raw, key: string, path: string, fallback: readonly string[]): string[] {
    const v = obj[key];
    if (v === undefined || v === null) return [...fallback];
    if (!Array.isArray(v)) this.fail(path, `expected a list of strings, got ${describeValue(v)}`);
    return v.map((item, i) => {
      if (typeof item !== 'string' || item === '') this.fail(`${path}[${i}]`, `expected a non-empty string, got ${describeValue(item)}`);
      return item;
    });
  }
}

function readListen(check: Checker, root: Raw): { host: string; port: number } | undefined {
  const text = check.string(root, 'listen', 'listen', '');
  if (root.listen === undefined || root.listen === null) return undefined;
  const addr = parseListen(text);
  if (!addr) check.fail('listen', `expected ${LISTEN_FORM}, got ${quote(text)}`);
  return { ...addr };
}

function readCollector(check: Checker, root: Raw, cfg: Mutable<SentinelConfig>): void {
  const c = check.section(root, 'collector', 'collector');
  const files = check.stringList(c, 'config_files', 'collector.config_files', cfg.collector.configFiles);
  const p = check.section(c, 'process', 'collector.process');
  const telemetry = c.telemetry_url;
  let telemetryUrl: string | undefined;
  if (telemetry !== undefined && telemetry !== null) {
    telemetryUrl = check.string(c, 'telemetry_url', 'collector.telemetry_url', '');
    if (telemetryUrl !== '' && !isHttpUrl(telemetryUrl)) {
      check.fail(
        'collector.telemetry_url',
        `expected an http:// or https:// URL such as "http://127.0.0.1:8888/metrics", or "" to turn it off, got ${quote(telemetryUrl)}`,
      );
    }
  }
  cfg.collector = {
    configFiles: files,
    process: {
      pid: check.integer(p, 'pid', 'collector.process.pid', 0, 0),
      pidFile: check.string(p, 'pid_file', 'collector.process.pid_file', ''),
      name: check.string(p, 'name', 'collector.process.name', ''),
    },
    telemetryUrl,
    useProcessEnvironment: check.bool(c, 'use_process_environment', 'collector.use_process_environment', true),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function readExtraTargets(check: Checker, probe: Raw): Raw[] {
  const v = probe.extra_targets;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) check.fail('probe.extra_targets', `expected a list of exporters (maps with name, type and endpoint), got ${describeValue(v)}`);
  const names = new Set<string>();
  return v.map((t, i) => {
    const path = `probe.extra_targets[${i}]`;
    if (!isMap(t)) check.fail(path, `expected a map with name, type and the keys of a collector exporter, got ${describeValue(t)}`);
    const name = t.name;
    if (typeof name !== 'string' || name === '') {
      check.fail(`${path}.name`, `expected a non-empty string naming the target (e.g. "otlp/backup"), got ${describeValue(name)}`);
    }
    if (names.has(name)) check.fail(`${path}.name`, `${quote(name)} is used by another extra target; names must be unique`);
    names.add(name);
    const type = t.type;
    if (typeof type !== 'string' || !EXTRA_TARGET_TYPES.includes(type)) {
      check.fail(`${path}.type`, `expected one of otlp_grpc, otlp_http (or their older names otlp, otlphttp), got ${describeValue(type)}`);
    }
    return { ...t };
  });
}

function readProbe(check: Checker, root: Raw, cfg: Mutable<SentinelConfig>): void {
  const p = check.section(root, 'probe', 'probe');
  const intervalMs = check.duration(p, 'interval', 'probe.interval', cfg.probe.intervalMs, false);
  const timeoutMs = check.duration(p, 'timeout', 'probe.timeout', cfg.probe.timeoutMs, false);
  if (timeoutMs > intervalMs) {
    check.fail(
      'probe.timeout',
      `${formatDuration(timeoutMs)} is longer than probe.interval (${formatDuration(intervalMs)}); set a timeout no longer than the interval`,
    );
  }
  const mode = check.string(p, 'mode', 'probe.mode', 'export');
  if (mode !== 'export' && mode !== 'handshake') {
    check.fail('probe.mode', `expected "export" (send an empty OTLP export) or "handshake" (stop after TLS), got ${quote(mode)}`);
  }
  const exporters = check.stringList(p, 'exporters', 'probe.exporters', []);
  cfg.probe = { intervalMs, timeoutMs, mode, exporters, extraTargets: readExtraTargets(check, p) };
}

function readThresholds(check: Checker, root: Raw, cfg: Mutable<SentinelConfig>): void {
  const t = check.section(root, 'thresholds', 'thresholds');
  const d = cfg.thresholds;
  cfg.thresholds = {
    fdRatio: check.ratio(t, 'fd_ratio', 'thresholds.fd_ratio', d.fdRatio),
    memoryRatio: check.ratio(t, 'memory_ratio', 'thresholds.memory_ratio', d.memoryRatio),
    certExpiryMs: check.duration(t, 'cert_expiry', 'thresholds.cert_expiry', d.certExpiryMs, true),
    slowResponseMs: check.duration(t, 'slow_response', 'thresholds.slow_response', d.slowResponseMs, true),
    queueRatio: check.ratio(t, 'queue_ratio', 'thresholds.queue_ratio', d.queueRatio),
  };
}

function checkLogLevel(level: string, fail: (problem: string) => never): string {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) fail(`expected one of ${LOG_LEVELS.join(', ')}, got ${quote(level)}`);
  return level;
}

function readWeb(check: Checker, root: Raw, cfg: Mutable<SentinelConfig>): void {
  const w = check.section(root, 'web', 'web');
  const tlsCertFile = check.string(w, 'tls_cert_file', 'web.tls_cert_file', '');
  const tlsKeyFile = check.string(w, 'tls_key_file', 'web.tls_key_file', '');
  if ((tlsCertFile === '') !== (tlsKeyFile === '')) {
    const missing = tlsCertFile === '' ? 'web.tls_cert_file' : 'web.tls_key_file';
    check.fail(missing, 'HTTPS needs both web.tls_cert_file and web.tls_key_file (PEM files); set both, or neither for plain HTTP');
  }
  const users: Record<string, string> = {};
  const rawUsers = w.basic_auth_users;
  if (rawUsers !== undefined && rawUsers !== null) {
    if (!isMap(rawUsers)) check.fail('web.basic_auth_users', `expected a map of user name to bcrypt hash, got ${describeValue(rawUsers)}`);
    for (const [user, hash] of Object.entries(rawUsers)) {
      // The value is never echoed: a plain password put here by mistake must not reach a log.
      if (typeof hash !== 'string' || !BCRYPT.test(hash)) {
        check.fail(
          `web.basic_auth_users.${user}`,
          'expected a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters), not a password; make one with `htpasswd -nbBC 10 USER PASSWORD` and keep the part after the colon',
        );
      }
      users[user] = hash;
    }
  }
  const paths = check.stringList(w, 'unauthenticated_paths', 'web.unauthenticated_paths', cfg.web.unauthenticatedPaths);
  paths.forEach((p, i) => {
    if (!p.startsWith('/')) check.fail(`web.unauthenticated_paths[${i}]`, `expected a path starting with "/", got ${quote(p)}`);
  });
  cfg.web = {
    tlsCertFile,
    tlsKeyFile,
    basicAuthUsers: users,
    unauthenticatedPaths: paths,
    enableLifecycle: check.bool(w, 'enable_lifecycle', 'web.enable_lifecycle', false),
    maxConnections: check.integer(w, 'max_connections', 'web.max_connections', 1024, 1),
  };
}

/**
 * otel-sentinel's own configuration: defaults, then the file (every key checked), then the flags.
 * `file` null: defaults and flags only. Throws ConfigError naming the file (or "command line"),
 * the dotted key and the expected form. The result is deeply frozen.
 */
export function loadSentinelConfig(file: string | null, flags: SentinelFlags = {}): SentinelConfig {
  const cfg = defaultSentinelConfig() as Mutable<SentinelConfig>;
  if (file !== null) {
    const root = readYamlFile(file, 'the otel-sentinel configuration file (--config or OTEL_SENTINEL_CONFIG)', FILE_LIMITS.sentinelConfig);
    const check = new Checker(file);
    if (root !== null && !isMap(root)) {
      check.fail('', `expected a map at the top level (keys ${SECTIONS['']!.join(', ')}), got ${describeValue(root)}`);
    }
    const r: Raw = isMap(root) ? root : {};
    check.known(r, '');
    cfg.source = file;
    const listen = readListen(check, r);
    if (listen) cfg.listen = listen;
    readCollector(check, r, cfg);
    readProbe(check, r, cfg);
    readThresholds(check, r, cfg);
    const log = check.section(r, 'log', 'log');
    cfg.log = { level: checkLogLevel(check.string(log, 'level', 'log.level', 'info'), (p) => check.fail('log.level', p)) };
    readWeb(check, r, cfg);
  }
  applyFlags(cfg, flags);
  return deepFreeze(cfg as SentinelConfig);
}

function applyFlags(cfg: Mutable<SentinelConfig>, flags: SentinelFlags): void {
  const fail = (flag: string) => (problem: string): never => {
    throw new ConfigError(COMMAND_LINE, flag, problem);
  };
  if (flags.listen !== undefined) {
    const addr = parseListen(flags.listen);
    if (!addr) fail('--listen')(`expected ${LISTEN_FORM}, got ${quote(flags.listen)}`);
    cfg.listen = { ...addr! };
  }
  if (flags.collectorConfigFiles !== undefined && flags.collectorConfigFiles.length > 0) {
    flags.collectorConfigFiles.forEach((f) => {
      if (f === '') fail('--collector-config')('expected a file name, got ""');
    });
    cfg.collector.configFiles = [...flags.collectorConfigFiles];
  }
  if (flags.logLevel !== undefined) cfg.log = { level: checkLogLevel(flags.logLevel, fail('--log-level')) };
}
