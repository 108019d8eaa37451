import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultSentinelConfig, loadSentinelConfig } from '../../src/config/load-sentinel-config.js';

const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string): string => {
  const f = join(dir, `sentinel-${++n}.yaml`);
  writeFileSync(f, text);
  return f;
};

const HASH = '$2b$10$' + 'abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234';

t.test('defaults: no file and no flags', (t) => {
  const c = loadSentinelConfig(null, {});
  t.same(c, defaultSentinelConfig());
  t.equal(c.source, null);
  t.same(c.listen, { host: '0.0.0.0', port: 13134 });
  t.same(c.collector.configFiles, ['/etc/otelcol/config.yaml']);
  t.equal(c.collector.process.name, '');
  t.equal(c.collector.telemetryUrl, undefined);
  t.equal(c.collector.useProcessEnvironment, true);
  t.equal(c.probe.intervalMs, 15000);
  t.equal(c.probe.timeoutMs, 5000);
  t.equal(c.probe.mode, 'export');
  t.same(c.thresholds, { fdRatio: 0.8, memoryRatio: 0.85, certExpiryMs: 336 * 3600000, slowResponseMs: 2000, queueRatio: 0.7 });
  t.equal(c.log.level, 'info');
  t.same(c.web.unauthenticatedPaths, ['/livez', '/readyz']);
  t.equal(c.web.enableLifecycle, false);
  t.equal(c.web.maxConnections, 1024);
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.collector.configFiles) && Object.isFrozen(c.thresholds));
  t.end();
});

t.test('config/sentinel.yaml works as shipped and states the defaults', (t) => {
  const c = loadSentinelConfig('config/sentinel.yaml', {});
  t.same({ ...c, source: null }, defaultSentinelConfig());
  t.equal(c.source, 'config/sentinel.yaml');
  t.end();
});

t.test('an empty file gives the defaults, with its name as source', (t) => {
  const f = write('');
  const c = loadSentinelConfig(f, {});
  t.equal(c.source, f);
  t.equal(c.probe.intervalMs, 15000);
  t.end();
});

t.test('every key is read', (t) => {
  const f = write(`
listen: "[::1]:9999"
collector:
  config_files: [/a.yaml, /b.yaml]
  process: { pid: 42, pid_file: /run/otelcol.pid, name: otelcol-contrib }
  telemetry_url: ""
  use_process_environment: false
probe:
  interval: 1m30s
  timeout: 1.5s
  mode: handshake
  exporters: [otlp/tempo]
  extra_targets:
    - { name: otlp/backup, type: otlphttp, endpoint: "http://127.0.0.1:4318", headers: { x-api-key: "\${env:KEY}" } }
thresholds: { fd_ratio: 0.5, memory_ratio: 1, cert_expiry: 720h, slow_response: 500ms, queue_ratio: 0.9 }
log: { level: debug }
web:
  tls_cert_file: /tls/cert.pem
  tls_key_file: /tls/key.pem
  basic_auth_users: { alice: "${HASH}" }
  unauthenticated_paths: [/livez]
  enable_lifecycle: true
  max_connections: 8
`);
  const c = loadSentinelConfig(f, {});
  t.same(c.listen, { host: '::1', port: 9999 });
  t.same(c.collector, {
    configFiles: ['/a.yaml', '/b.yaml'],
    process: { pid: 42, pidFile: '/run/otelcol.pid', name: 'otelcol-contrib' },
    telemetryUrl: '',
    useProcessEnvironment: false,
  });
  t.equal(c.probe.intervalMs, 90000);
  t.equal(c.probe.timeoutMs, 1500);
  t.equal(c.probe.mode, 'handshake');
  t.same(c.probe.exporters, ['otlp/tempo']);
  t.same(c.probe.extraTargets, [
    { name: 'otlp/backup', type: 'otlphttp', endpoint: 'http://127.0.0.1:4318', headers: { 'x-api-key': '${env:KEY}' } },
  ]);
  t.same(c.thresholds, { fdRatio: 0.5, memoryRatio: 1, certExpiryMs: 720 * 3600000, slowResponseMs: 500, queueRatio: 0.9 });
  t.equal(c.log.level, 'debug');
  t.same(c.web, {
    tlsCertFile: '/tls/cert.pem',
    tlsKeyFile: '/tls/key.pem',
    basicAuthUsers: { alice: HASH },
    unauthenticatedPaths: ['/livez'],
    enableLifecycle: true,
    maxConnections: 8,
  });
  t.ok(Object.isFrozen(c.probe.extraTargets[0]) && Object.isFrozen(c.web.basicAuthUsers));
  t.end();
});

t.test('flags override the file', (t) => {
  const f = write('listen: 127.0.0.1:1000\ncollector: { config_files: [/x.yaml] }\nlog: { level: warn }\n');
  const c = loadSentinelConfig(f, { listen: '127.0.0.1:2000', collectorConfigFiles: ['/y.yaml', '/z.yaml'], logLevel: 'trace' });
  t.same(c.listen, { host: '127.0.0.1', port: 2000 });
  t.same(c.collector.configFiles, ['/y.yaml', '/z.yaml']);
  t.equal(c.log.level, 'trace');
  const d = loadSentinelConfig(f, { collectorConfigFiles: [] });
  t.same(d.collector.configFiles, ['/x.yaml'], 'an empty flag list keeps the file');
  t.end();
});

t.test('flags are checked and named in errors', (t) => {
  t.throws(() => loadSentinelConfig(null, { listen: 'nope' }), {
    message: 'command line: --listen: expected HOST:PORT (e.g. "0.0.0.0:13134", "127.0.0.1:13134" or "[::1]:13134"), got "nope"',
  });
  t.throws(() => loadSentinelConfig(null, { logLevel: 'loud' }), {
    message: 'command line: --log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
  });
  t.end();
});

t.test('listen forms', (t) => {
  const cases: [string, { host: string; port: number }][] = [
    ['0.0.0.0:13134', { host: '0.0.0.0', port: 13134 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['[::]:80', { host: '::', port: 80 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    [':9100', { host: '0.0.0.0', port: 9100 }],
  ];
  for (const [text, want] of cases) t.same(loadSentinelConfig(null, { listen: text }).listen, want, text);
  for (const bad of ['::1:8080', '127.0.0.1', '127.0.0.1:70000', '[::1]8080', 'host:port', '[127.0.0.1]:80']) {
    t.throws(() => loadSentinelConfig(null, { listen: bad }), ConfigError, bad);
  }
  t.end();
});

/** Each invalid config and the exact error it gives (with FILE standing for its path). */
const INVALID: [string, string, string][] = [
  ['unknown top-level key', 'listn: 0.0.0.0:1\n', 'FILE: listn: unknown key; the top-level keys are listen, collector, probe, thresholds, log, web'],
  [
    'unknown nested key',
    'probe:\n  intervall: 15s\n',
    'FILE: probe.intervall: unknown key; the keys of probe are interval, timeout, mode, exporters, extra_targets',
  ],
  ['section of the wrong type', 'probe: 15s\n', 'FILE: probe: expected a map with the keys interval, timeout, mode, exporters, extra_targets, got a string ("15s")'],
  ['wrong type: bool', 'collector:\n  use_process_environment: "yes"\n', 'FILE: collector.use_process_environment: expected true or false, got a string ("yes")'],
  ['wrong type: list', 'collector:\n  config_files: /etc/otelcol/config.yaml\n', 'FILE: collector.config_files: expected a list of strings, got a string ("/etc/otelcol/config.yaml")'],
  [
    'duration without unit',
    'probe:\n  interval: 15\n',
    'FILE: probe.interval: expected a duration like "15s", "500ms" or "1m30s" (units ns, us, ms, s, m, h), got a number (15)',
  ],
  [
    'bad duration',
    'probe:\n  interval: 15 seconds\n',
    'FILE: probe.interval: expected a duration like "15s", "500ms" or "1m30s" (units ns, us, ms, s, m, h), got "15 seconds" (unknown unit " seconds" in duration "15 seconds")',
  ],
  ['zero interval', 'probe:\n  interval: "0"\n', 'FILE: probe.interval: expected a positive duration, got "0"'],
  ['negative timeout', 'probe:\n  timeout: -1s\n', 'FILE: probe.timeout: expected a positive duration, got "-1s"'],
  [
    'timeout longer than interval',
    'probe:\n  interval: 10s\n  timeout: 20s\n',
    'FILE: probe.timeout: 20s is longer than probe.interval (10s); set a timeout no longer than the interval',
  ],
  ['bad mode', 'probe:\n  mode: ping\n', 'FILE: probe.mode: expected "export" (send an empty OTLP export) or "handshake" (stop after TLS), got "ping"'],
  ['ratio above 1', 'thresholds:\n  fd_ratio: 1.5\n', 'FILE: thresholds.fd_ratio: expected a ratio greater than 0 and at most 1 (e.g. 0.8), got a number (1.5)'],
  ['ratio 0', 'thresholds:\n  queue_ratio: 0\n', 'FILE: thresholds.queue_ratio: expected a ratio greater than 0 and at most 1 (e.g. 0.8), got a number (0)'],
  ['ratio as percent text', 'thresholds:\n  memory_ratio: 85%\n', 'FILE: thresholds.memory_ratio: expected a ratio greater than 0 and at most 1 (e.g. 0.8), got a string ("85%")'],
  ['bad listen', 'listen: localhost\n', 'FILE: listen: expected HOST:PORT (e.g. "0.0.0.0:13134", "127.0.0.1:13134" or "[::1]:13134"), got "localhost"'],
  ['bad log level', 'log:\n  level: verbose\n', 'FILE: log.level: expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
  ['negative pid', 'collector:\n  process:\n    pid: -3\n', 'FILE: collector.process.pid: expected a whole number of at least 0, got a number (-3)'],
  [
    'telemetry url not a URL',
    'collector:\n  telemetry_url: 127.0.0.1:8888\n',
    'FILE: collector.telemetry_url: expected an http:// or https:// URL such as "http://127.0.0.1:8888/metrics", or "" to turn it off, got "127.0.0.1:8888"',
  ],
  [
    'extra target without type',
    'probe:\n  extra_targets:\n    - name: otlp/x\n      endpoint: a:4317\n',
    'FILE: probe.extra_targets[0].type: expected one of otlp_grpc, otlp_http (or their older names otlp, otlphttp), got nothing (null)',
  ],
  [
    'extra target without name',
    'probe:\n  extra_targets:\n    - type: otlp\n',
    'FILE: probe.extra_targets[0].name: expected a non-empty string naming the target (e.g. "otlp/backup"), got nothing (null)',
  ],
  [
    'extra targets with the same name',
    'probe:\n  extra_targets:\n    - { name: a, type: otlp }\n    - { name: a, type: otlphttp }\n',
    'FILE: probe.extra_targets[1].name: "a" is used by another extra target; names must be unique',
  ],
  [
    'bcrypt hash that is a password',
    'web:\n  basic_auth_users:\n    alice: s3cr3t-TOKEN-4242\n',
    'FILE: web.basic_auth_users.alice: expected a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters), not a password; make one with `htpasswd -nbBC 10 USER PASSWORD` and keep the part after the colon',
  ],
  [
    'tls cert without key',
    'web:\n  tls_cert_file: /tls/cert.pem\n',
    'FILE: web.tls_key_file: HTTPS needs both web.tls_cert_file and web.tls_key_file (PEM files); set both, or neither for plain HTTP',
  ],
  ['max_connections 0', 'web:\n  max_connections: 0\n', 'FILE: web.max_connections: expected a whole number of at least 1, got a number (0)'],
  ['path without slash', 'web:\n  unauthenticated_paths: [livez]\n', 'FILE: web.unauthenticated_paths[0]: expected a path starting with "/", got "livez"'],
  ['top level a list', '- a\n- b\n', 'FILE: expected a map at the top level (keys listen, collector, probe, thresholds, log, web), got a list'],
];

t.test('each invalid configuration gives its exact error', async (t) => {
  for (const [name, text, want] of INVALID) {
    const f = write(text);
    t.throws(() => loadSentinelConfig(f, {}), { name: 'ConfigError', file: f, message: want.replace('FILE', f) }, name);
  }
});

t.test('YAML syntax errors give file:line:col and no stack', (t) => {
  const f = write('probe:\n  interval: 15s\n   timeout: [5s\n');
  try {
    loadSentinelConfig(f, {});
    t.fail('should throw');
  } catch (err) {
    t.type(err, ConfigError);
    const msg = (err as Error).message;
    t.equal(msg, `${f}:2:13: YAML syntax error: Nested mappings are not allowed in compact mappings`);
    t.notMatch(msg, /\n/);
  }
  const dup = write('log:\n  level: info\nlog:\n  level: debug\n');
  t.throws(() => loadSentinelConfig(dup, {}), { message: `${dup}:3:1: YAML syntax error: Map keys must be unique` });
  t.end();
});

t.test('a missing file is a ConfigError naming it', (t) => {
  const f = join(dir, 'does-not-exist.yaml');
  t.throws(() => loadSentinelConfig(f, {}), {
    name: 'ConfigError',
    message: `${f}: the otel-sentinel configuration file (--config or OTEL_SENTINEL_CONFIG) does not exist (ENOENT)`,
  });
  t.end();
});

t.test('no error message echoes a basic auth value', (t) => {
  const f = write('web:\n  basic_auth_users:\n    bob: "$2b$10$s3cr3t-TOKEN-4242"\n');
  const err = (() => {
    try {
      loadSentinelConfig(f, {});
    } catch (e) {
      return e as Error;
    }
    return null;
  })();
  t.type(err, ConfigError);
  t.notMatch(err?.message ?? '', 's3cr3t-TOKEN-4242');
  t.end();
});
