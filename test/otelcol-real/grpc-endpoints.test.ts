/**
 * gRPC exporter endpoints in every form the collector takes, judged by the real collector: for
 * each, `otelcol validate` and otel-sentinel agree on whether it is usable; and an exporter on a
 * unix socket is probed over that socket, up to an Export the collector's own receiver answers.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import { otelcolBinary } from '../helpers/collector/otelcol-binary.js';
import { startCollector } from '../helpers/collector/collector-process.js';
import { exporterSpec, probeOnce } from '../helpers/probe-fixtures.js';

t.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'os-ep-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const socket = join(dir, 'otlp.sock');
const sentinel = loadSentinelConfig(null, {});

/** Writes a collector config with one exporter (gRPC unless said) on `endpoint`; what each side says of it. */
function judge(endpoint: string, i: number, type = 'otlp_grpc'): { collectorRefuses: boolean; says: string; invalid: string | null; note: string | undefined } {
  const file = join(dir, `collector-${type}-${i}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      receivers: { otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' } } } },
      exporters: { [type]: { endpoint, tls: { insecure: true } } },
      service: { pipelines: { traces: { receivers: ['otlp'], exporters: [type] } } },
    }),
  );
  const oracle = spawnSync(otelcolBinary(), ['validate', `--config=${file}`], { encoding: 'utf8', timeout: 60_000 });
  const model = readCollectorConfig({ files: [file], env: {}, sentinel });
  const e = model.exporters[0]!;
  const invalid = e.configProblems.find((p) => p.reason === 'invalid_endpoint')?.message ?? null;
  return { collectorRefuses: oracle.status !== 0, says: oracle.stderr.trim().split('\n').pop() ?? '', invalid, note: e.note };
}

t.test('otel-sentinel calls an endpoint unusable exactly when the collector refuses it', async (t) => {
  writeFileSync(socket, ''); // exists here: the unix socket forms are probed, not left unchecked
  const forms: Array<[string, RegExp | null]> = [
    ['127.0.0.1:4317', null],
    ['localhost:4317', null],
    ['[::1]:4317', null],
    ['http://127.0.0.1:4317', null],
    ['https://tempo.example.invalid:443', null],
    ['dns:///localhost:4317', null],
    ['dns://127.0.0.53/localhost:4317', null],
    ['passthrough:///127.0.0.1:4317', null],
    [`unix://${socket}`, null],
    ['localhost', /has no port/],
    ['dns:///localhost', /has no port/],
    ['localhost:4317/', /takes no path/],
    ['http://localhost:4317/v1/traces', /takes no path/],
    ['unix://', /unix socket path cannot be empty/],
    ['localhost:http', /is not host:port/],
    // what a quoted value or a variable's value may carry: YAML trims only plain values
    ['localhost:4317 ', /has white space around it/],
    ['http://localhost:4317\n', /has white space around it/],
  ];
  for (const [i, [endpoint, says]] of forms.entries()) {
    const r = judge(endpoint, i);
    t.equal(r.invalid !== null, r.collectorRefuses, `${endpoint}: the collector ${r.collectorRefuses ? `refuses it (${r.says})` : 'accepts it'}, so does otel-sentinel${r.invalid ? ` (${r.invalid})` : ''}`);
    if (says) t.match(r.invalid, says, `${endpoint}: the detail`);
    else t.equal(r.note, undefined, `${endpoint}: probed`);
  }
});

t.test('white space around an endpoint: refused by the collector, or (a gRPC host) never resolved', async (t) => {
  for (const [i, endpoint] of [' http://localhost:4318', 'http://localhost:4318 ', 'http://localhost:4318\t'].entries()) {
    const r = judge(endpoint, 200 + i, 'otlp_http');
    t.equal(r.collectorRefuses, true, `${JSON.stringify(endpoint)}: the collector cannot build the HTTP exporter (${r.says})`);
    t.match(r.invalid, /has white space around it/, `${JSON.stringify(endpoint)}: otel-sentinel says so`);
  }
  // validate accepts a gRPC host with a leading space; the exporter then looks up " localhost"
  const r = judge(' localhost:4317', 300);
  t.equal(r.collectorRefuses, false);
  t.match(r.invalid, /" localhost:4317" has white space around it/);
  t.equal(judge('http://localhost:4318', 301, 'otlp_http').invalid, null, 'the same without: usable');
  // the usual way in: a file written with a trailing newline, referenced as the whole value
  const file = join(dir, 'endpoint.txt');
  writeFileSync(file, 'localhost:4317\n');
  const fromFile = judge(`\${file:${file}}`, 302);
  t.equal(fromFile.collectorRefuses, true, `the collector keeps the newline (${fromFile.says})`);
  t.match(fromFile.invalid, /"localhost:4317\\n" has white space around it/);
});

t.test('a unix socket that is not there is left unchecked, never called down', async (t) => {
  const r = judge(`unix://${join(dir, 'elsewhere', 'otlp.sock')}`, 100);
  t.equal(r.collectorRefuses, false, 'the collector takes it (the socket may be in its own file system)');
  t.equal(r.invalid, null);
  t.match(r.note, /^cannot be checked: exporters\.otlp_grpc\.endpoint is the unix socket unix:\/\/.*elsewhere\/otlp\.sock, which otel-sentinel cannot see here/);
});

t.test("an exporter on a unix socket: the real collector's receiver answers the probe's Export; gone, it is named", async (t) => {
  rmSync(socket, { force: true });
  const collector = await startCollector({
    exporters: {},
    config: ({ receiverPort, telemetryPort }) => ({
      receivers: {
        otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${receiverPort}` } } },
        'otlp/socket': { protocols: { grpc: { endpoint: socket, transport: 'unix' } } },
      },
      exporters: { debug: { verbosity: 'basic' } },
      service: {
        telemetry: { logs: { level: 'error', encoding: 'json' }, metrics: { level: 'normal', readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: telemetryPort } } } }] } },
        pipelines: { traces: { receivers: ['otlp', 'otlp/socket'], exporters: ['debug'] } },
      },
    }),
  });
  t.teardown(() => collector.stop());
  const spec = exporterSpec({ name: 'otlp_grpc/socket', type: 'otlp_grpc', endpoint: `unix://${socket}`, tls: { insecure: true } });
  const up = await probeOnce(spec);
  t.equal(up.up, true, `up: ${JSON.stringify(up.problems.map((p) => p.message))}`);
  t.same(up.problems, []);
  t.type(up.phases.connect_seconds, 'number', 'connected to the socket');
  t.equal(up.phases.dns_seconds, null, 'nothing looked up');
  t.type(up.phases.request_seconds, 'number', 'the Export was answered');

  await collector.stop(); // the collector removes its socket as it stops
  const down = await probeOnce(spec);
  t.equal(down.up, false);
  t.equal(down.problems[0]?.reason, 'connection_refused');
  t.match(down.problems[0]?.message, `the connection to the unix socket unix://${socket} was refused`);
  t.match(down.problems[0]?.fix, `ss -xl | grep ${socket}`);
});

t.test('an otelarrow exporter (transport probe, endpoint as otlp) on a unix socket it cannot see: unchecked too', async (t) => {
  const file = join(dir, 'arrow.yaml');
  const gone = `unix://${join(dir, 'elsewhere', 'arrow.sock')}`;
  writeFileSync(
    file,
    JSON.stringify({
      exporters: { otelarrow: { endpoint: gone, tls: { insecure: true } }, 'otelarrow/seen': { endpoint: `unix://${socket}`, tls: { insecure: true } } },
      service: { pipelines: { traces: { receivers: ['otlp'], exporters: ['otelarrow', 'otelarrow/seen'] } } },
    }),
  );
  writeFileSync(socket, '');
  const [unseen, seen] = readCollectorConfig({ files: [file], env: {}, sentinel }).exporters;
  t.equal(unseen?.protocol, 'none');
  t.match(unseen?.note, /^cannot be checked: exporters\.otelarrow\.endpoint is the unix socket unix:\/\/.*arrow\.sock/);
  t.equal(seen?.protocol, 'tcp', 'a socket it sees gets the transport probe');
  t.same(seen?.configProblems, []);
});
