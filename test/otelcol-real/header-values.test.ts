/**
 * A header value the collector cannot send (a token file written with a trailing newline): the
 * real collector's exports fail on it, permanently, and otel-sentinel names it from the config
 * alone, without the value.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import { startCollector } from '../helpers/collector/collector-process.js';
import { freePort } from '../helpers/collector/free-port.js';
import { startSpanLoad } from '../helpers/collector/span-load.js';
import { waitFor } from '../helpers/e2e/wait-for.js';

t.setTimeout(120_000);

const SECRET = 'tok-newline-51c2e9';

t.test("a token file with a trailing newline: the collector's exports fail on it, otel-sentinel names it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'os-hdr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const token = join(dir, 'token');
  writeFileSync(token, `${SECRET}\n`);
  const sinkGrpc = await freePort();
  const sinkHttp = await freePort();
  const header = { authorization: `Bearer \${file:${token}}` };
  const collector = await startCollector({
    exporters: {},
    config: ({ receiverPort, telemetryPort }) => ({
      receivers: {
        otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${receiverPort}` } } },
        // where the exporters send: a pipeline of its own, so nothing loops
        'otlp/sink': { protocols: { grpc: { endpoint: `127.0.0.1:${sinkGrpc}` }, http: { endpoint: `127.0.0.1:${sinkHttp}` } } },
      },
      exporters: {
        otlp_grpc: { endpoint: `127.0.0.1:${sinkGrpc}`, tls: { insecure: true }, headers: header, retry_on_failure: { enabled: false } },
        otlp_http: { endpoint: `http://127.0.0.1:${sinkHttp}`, headers: header, retry_on_failure: { enabled: false } },
        debug: { verbosity: 'basic' },
      },
      service: {
        telemetry: { logs: { level: 'error', encoding: 'json' }, metrics: { level: 'normal', readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: telemetryPort } } } }] } },
        pipelines: {
          traces: { receivers: ['otlp'], exporters: ['otlp_grpc', 'otlp_http'] },
          'traces/sink': { receivers: ['otlp/sink'], exporters: ['debug'] },
        },
      },
    }),
  });
  t.teardown(() => collector.stop());
  const load = startSpanLoad({ port: collector.receiverPort, spansPerRequest: 1, intervalMs: 200 });
  t.teardown(() => load.stop());
  const errors = await waitFor('both exporters failing', async () => {
    const e = collector.lastErrors();
    return e.get('otlp_grpc') && e.get('otlp_http') ? e : undefined;
  }, { timeoutMs: 30_000 });
  t.match(errors.get('otlp_grpc'), /contains value with non-printable ASCII characters/, 'the collector: gRPC metadata refused');
  t.match(errors.get('otlp_http'), /invalid header field value/, 'the collector: HTTP header refused');

  const model = readCollectorConfig({ files: [collector.configFile], env: {}, sentinel: loadSentinelConfig(null, {}) });
  for (const [name, says] of [['otlp_grpc', /gRPC metadata/], ['otlp_http', /an HTTP header/]] as const) {
    const e = model.exporters.find((x) => x.name === name);
    const p = e?.configProblems.find((x) => x.reason === 'invalid_header_value');
    t.ok(p, `${name}: invalid_header_value`);
    t.equal(p?.severity, 'critical');
    t.match(p?.message, `exporters.${name}.headers.authorization holds a newline (\\n) at its end`);
    t.match(p?.message, says);
    t.match(p?.fix, `(it comes from \${file:${token}})`);
    t.notMatch(`${p?.message} ${p?.fix}`, SECRET, 'never the value');
  }
});
