import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import { otelcolBinary } from '../helpers/collector/otelcol-binary.js';

// The real collector (test/otelcol) is the oracle: for each config, `otelcol validate` and
// otel-sentinel must agree on whether the collector can start with it.

const OTELCOL = otelcolBinary();

const SECRET = 'tok-refused-9f3a71';
const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-refused-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const RECEIVERS = 'receivers: {otlp: {protocols: {grpc: {endpoint: 127.0.0.1:4317}}}}\n';
const pipeline = (exporters: string): string => `  pipelines: {traces: {receivers: [otlp], exporters: [${exporters}]}}\n`;
const READER = '  telemetry: {metrics: {readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: 8888}}}}]}}\n';

interface Case {
  readonly name: string;
  readonly yaml: string;
  /** what otel-sentinel says when the collector refuses it; null: otel-sentinel reads it (see warns) */
  readonly says: RegExp | null;
  /** the key named in the error */
  readonly key?: string;
  /**
   * a key the exporters of v0.165.0 do not have: the collector refuses it, otel-sentinel warns on
   * the exporter (a newer collector may have the key) instead of refusing the whole config
   */
  readonly warns?: { readonly exporter: string; readonly says: RegExp } | null;
}

const cases: Case[] = [
  {
    name: 'valid: every key an OTLP exporter has, both type names and aliases, every sizer, a pull reader',
    yaml: RECEIVERS + `exporters:
  otlp_grpc/all:
    endpoint: 127.0.0.1:1
    timeout: 5s
    sending_queue: {sizer: items, queue_size: 100, num_consumers: 2}
    retry_on_failure: {enabled: true}
    tls: {insecure: true}
    headers: {authorization: "Bearer ${SECRET}"}
    compression: gzip
    read_buffer_size: 1024
    write_buffer_size: 1024
    middlewares: []
    keepalive: {time: 10s}
    authority: example
    balancer_name: round_robin
    user_agent: test
    wait_for_ready: true
  otlp/alias: {endpoint: 127.0.0.1:1, sending_queue: {sizer: bytes, queue_size: 1000000}}
  otlp_http/all:
    endpoint: http://127.0.0.1:1
    traces_endpoint: http://127.0.0.1:1/v1/traces
    metrics_endpoint: http://127.0.0.1:1/v1/metrics
    logs_endpoint: http://127.0.0.1:1/v1/logs
    profiles_endpoint: http://127.0.0.1:1/v1development/profiles
    encoding: json
    proxy_url: http://127.0.0.1:3128
    compression: gzip
    compression_params: {level: 1}
    max_conns_per_host: 10
    http2_read_idle_timeout: 10s
    http2_ping_timeout: 10s
    cookies: {}
    force_attempt_http2: true
    keepalive: {max_idle_conns: 10}
    timeout: 10s
    headers: {x-a: b}
    tls: {insecure_skip_verify: true}
    read_buffer_size: 1024
    write_buffer_size: 1024
    middlewares: []
    sending_queue: {sizer: requests}
    retry_on_failure: {enabled: false}
  otlphttp/alias: {endpoint: http://127.0.0.1:1, sending_queue: {sizer: }}
  debug: {verbosity: basic}
service:
${READER}${pipeline('otlp_grpc/all, otlp/alias, otlp_http/all, otlphttp/alias, debug')}`,
    says: null,
  },
  {
    name: 'valid: no telemetry section at all',
    yaml: `${RECEIVERS}exporters: {otlp_grpc: {endpoint: 127.0.0.1:1}}\nservice:\n${pipeline('otlp_grpc')}`,
    says: null,
  },
  {
    name: 'the removed service.telemetry.metrics.address',
    yaml: `${RECEIVERS}exporters: {otlp_grpc: {endpoint: 127.0.0.1:1}}\nservice:\n  telemetry: {metrics: {address: 127.0.0.1:8888}}\n${pipeline('otlp_grpc')}`,
    says: /the collector refuses this config and does not start.*`address` was deprecated.*readers: \[\{pull/,
    key: 'service.telemetry.metrics.address',
  },
  {
    name: 'address beside readers is refused as well',
    yaml: `${RECEIVERS}exporters: {otlp_grpc: {endpoint: 127.0.0.1:1}}\nservice:\n  telemetry: {metrics: {address: 127.0.0.1:8888, readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: 8888}}}}]}}\n${pipeline('otlp_grpc')}`,
    says: /the collector refuses this config/,
    key: 'service.telemetry.metrics.address',
  },
  {
    name: 'an unknown key of a gRPC exporter (a typo)',
    yaml: `${RECEIVERS}exporters: {otlp_grpc/a: {endpiont: 127.0.0.1:1, headers: {authorization: "Bearer ${SECRET}"}}}\nservice:\n${pipeline('otlp_grpc/a')}`,
    says: null,
    warns: { exporter: 'otlp_grpc/a', says: /exporters\.otlp_grpc\/a\.endpiont.*otlp_grpc exporter of collector v0\.165\.0 does not have.*did you mean "endpoint"\?/s },
  },
  {
    name: 'an unknown key of an HTTP exporter under its alias, on an exporter no pipeline uses',
    yaml: `${RECEIVERS}exporters:\n  otlp_grpc: {endpoint: 127.0.0.1:1}\n  otlphttp/unused: {endpoint: http://127.0.0.1:1, insecure: true}\nservice:\n${pipeline('otlp_grpc')}`,
    says: null,
    warns: null,
  },
  {
    name: 'a key named like a member of every JavaScript object',
    yaml: `${RECEIVERS}exporters: {otlp_grpc: {endpoint: 127.0.0.1:1, constructor: 1}}\nservice:\n${pipeline('otlp_grpc')}`,
    says: null,
    warns: { exporter: 'otlp_grpc', says: /exporters\.otlp_grpc\.constructor.*does not have/ },
  },
  {
    name: 'a key that moved under keepalive in the HTTP client',
    yaml: `${RECEIVERS}exporters: {otlp_http: {endpoint: http://127.0.0.1:1, max_idle_conns: 10}}\nservice:\n${pipeline('otlp_http')}`,
    says: null,
    warns: { exporter: 'otlp_http', says: /exporters\.otlp_http\.max_idle_conns.*it moved: use keepalive\.max_idle_conns/s },
  },
  {
    name: 'an exporter in a pipeline but not defined',
    yaml: `${RECEIVERS}exporters: {otlp_grpc/a: {endpoint: 127.0.0.1:1}}\nservice:\n${pipeline('otlp_grpc/b')}`,
    says: /names exporter "otlp_grpc\/b", which is not defined under exporters/,
    key: 'service.pipelines.traces.exporters[0]',
  },
  {
    name: 'the removed logging exporter, defined and used',
    yaml: `${RECEIVERS}exporters: {logging: {loglevel: debug}, otlp_grpc: {endpoint: 127.0.0.1:1}}\nservice:\n${pipeline('otlp_grpc, logging')}`,
    says: /the collector refuses this config.*logging exporter was removed.*debug exporter/,
    key: 'exporters.logging',
  },
  {
    name: 'the removed logging exporter, defined but in no pipeline',
    yaml: `${RECEIVERS}exporters: {logging/unused: {}, otlp_grpc: {endpoint: 127.0.0.1:1}}\nservice:\n${pipeline('otlp_grpc')}`,
    says: /logging exporter was removed/,
    key: 'exporters.logging/unused',
  },
  {
    name: 'a sending_queue.sizer the collector does not know',
    yaml: `${RECEIVERS}exporters: {otlp_grpc: {endpoint: 127.0.0.1:1, sending_queue: {sizer: batches}}}\nservice:\n${pipeline('otlp_grpc')}`,
    says: /the collector refuses this config.*invalid sizer "batches"; use one of requests, items, bytes/,
    key: 'exporters.otlp_grpc.sending_queue.sizer',
  },
  {
    name: 'a sizer that is not a word',
    yaml: `${RECEIVERS}exporters: {otlp_grpc: {endpoint: 127.0.0.1:1, sending_queue: {sizer: [items]}}}\nservice:\n${pipeline('otlp_grpc')}`,
    says: /invalid sizer \(not a word\)/,
    key: 'exporters.otlp_grpc.sending_queue.sizer',
  },
];

const sentinel = loadSentinelConfig(null, {});

for (const [i, c] of cases.entries()) {
  t.test(c.name, (t) => {
    const file = join(dir, `collector-${i}.yaml`);
    writeFileSync(file, c.yaml);
    const oracle = spawnSync(OTELCOL, ['validate', `--config=${file}`], { encoding: 'utf8', timeout: 60_000 });
    t.equal(oracle.error, undefined, 'otelcol validate ran');
    const refused = c.says !== null || c.warns !== undefined;
    t.equal(oracle.status !== 0, refused, `otelcol validate ${refused ? 'refuses' : 'accepts'} it (${oracle.stderr.trim().split('\n').pop() ?? ''})`);
    let error: unknown = null;
    let model = null;
    try {
      model = readCollectorConfig({ files: [file], env: {}, sentinel });
    } catch (err) {
      error = err;
    }
    if (c.warns !== undefined) {
      t.equal(error, null, 'otel-sentinel reads it: the key may be a newer release\'s');
      const warnings = (model?.exporters ?? []).flatMap((e) => e.configProblems.map((p) => ({ exporter: e.name, ...p })));
      if (c.warns === null) {
        t.same(warnings, [], 'an exporter no pipeline uses is not watched');
      } else {
        const unknown = warnings.filter((w) => w.reason === 'unknown_exporter_key');
        t.equal(unknown.length, 1, 'one warning for the key');
        t.match(unknown[0], { exporter: c.warns.exporter, severity: 'warning' });
        t.match(`${unknown[0]?.message} ${unknown[0]?.fix}`, c.warns.says);
        for (const w of warnings) t.notMatch(`${w.message} ${w.fix}`, SECRET, 'no secret in the warning');
      }
    } else if (c.says === null) {
      t.equal(error, null, 'otel-sentinel accepts it too');
    } else {
      t.type(error, ConfigError, 'otel-sentinel refuses it too');
      const e = error as ConfigError;
      t.equal(e.file, file, 'names the file');
      t.equal(e.key, c.key, 'names the key');
      t.match(e.message, c.says);
      t.notMatch(e.message, SECRET, 'no secret in the message');
      t.notMatch(e.problem, /`address: |set .*address/, 'never suggests the removed address key');
    }
    t.end();
  });
}

t.test('check on a refused config: exit 2, the reason on stderr, no secret', (t) => {
  const file = join(dir, 'check.yaml');
  writeFileSync(file, `${RECEIVERS}exporters: {logging: {}, otlp_grpc/a: {endpoint: 127.0.0.1:1, headers: {authorization: "Bearer ${SECRET}"}}}\nservice:\n${pipeline('otlp_grpc/a, logging')}`);
  const r = spawnSync(process.execPath, ['dist/src/bin.js', 'check', '--collector-config', file], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 2);
  t.match(r.stderr, `${file}: exporters.logging: the collector refuses this config and does not start`);
  t.notMatch(r.stderr + r.stdout, SECRET);
  t.end();
});
