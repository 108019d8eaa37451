/**
 * An extra target's keys are in otel-sentinel's own config, under `probe.extra_targets[i]`: a fix
 * for it must point there, not at an `exporters.NAME` the collector's config does not have; the
 * collector's exporters keep pointing at `exporters.NAME`. Real `check` runs on loopback.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCerts } from '../helpers/certs.js';
import { collectorYaml } from '../helpers/collector-yaml.js';
import { runCli } from '../helpers/run-cli.js';
import { closedPort, startHttpServer } from '../helpers/servers.js';

interface Entry {
  name: string;
  problems: { reason: string; fix: string; message: string }[];
}

t.test('a fix names probe.extra_targets[i] for an extra target and exporters.NAME for the collector\'s', async (t) => {
  const certs = testCerts();
  const dir = mkdtempSync(join(tmpdir(), 'extra-target-keys-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const refused = await closedPort();
  const untrusted = await startHttpServer({ tls: { cert: certs.untrusted.cert, key: certs.untrusted.key } });
  t.teardown(() => untrusted.close());

  const collectorFile = join(dir, 'collector.yaml');
  writeFileSync(collectorFile, collectorYaml({ 'otlp/tempo': { endpoint: `127.0.0.1:${refused}`, tls: { insecure: true } } }));
  const sentinelFile = join(dir, 'sentinel.yaml');
  writeFileSync(
    sentinelFile,
    JSON.stringify({
      collector: { config_files: [collectorFile] },
      probe: {
        extra_targets: [
          { name: 'backend-a', type: 'otlp_grpc', endpoint: `127.0.0.1:${refused}`, tls: { insecure: true } },
          { name: 'backend-b', type: 'otlp_http', endpoint: `https://127.0.0.1:${untrusted.port}`, tls: { ca_file: certs.ca.certFile } },
        ],
      },
    }),
  );
  const run = await runCli(['check', '--no-collector', '--json', '--config', sentinelFile]);
  t.equal(run.code, 1, `a problem is active; stderr: ${run.stderr}`);
  const entries = (JSON.parse(run.stdout) as { exporters: Entry[] }).exporters;
  const byName = new Map(entries.map((e) => [e.name, e]));

  const tempo = byName.get('otlp/tempo')?.problems[0];
  t.equal(tempo?.reason, 'connection_refused');
  t.match(tempo?.fix, 'exporters.otlp/tempo.endpoint', "the collector's exporter: its key in the collector's config");

  const a = byName.get('backend-a')?.problems[0];
  t.equal(a?.reason, 'connection_refused');
  t.match(a?.fix, 'probe.extra_targets[0].endpoint', 'the first extra target: its own key');
  t.notMatch(a?.fix, 'exporters.backend-a', 'no key the collector does not have');

  const b = byName.get('backend-b')?.problems[0];
  t.equal(b?.reason, 'tls_unknown_authority');
  t.match(b?.fix, 'probe.extra_targets[1].tls.ca_file', 'the second extra target: its own TLS key');
  t.notMatch(b?.fix, 'exporters.backend-b', 'no key the collector does not have');
});
