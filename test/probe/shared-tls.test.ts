import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import t from 'tap';
import { loadTlsMaterial } from '../../src/config/tls-material.js';
import { createJudgedProber } from '../helpers/judged.js';
import { prepareExporter } from '../../src/probe/prepare-exporter.js';
import { testCerts } from '../helpers/certs.js';
import { exporterSpec, probeContext } from '../helpers/probe-fixtures.js';

const c = testCerts();

function tlsOf(spec: ReturnType<typeof exporterSpec>) {
  const r = prepareExporter(spec);
  if (!r.ok) throw new Error(`${r.finding.reason}: ${String(r.finding.facts["detail"])}`);
  return r.prep.tls!;
}

t.test('exporters with the same TLS settings share one context; different ones do not', async (t) => {
  const a = tlsOf(exporterSpec({ name: 'otlp/a', endpoint: 'a.test:4317', tls: { caFile: c.ca.certFile } }));
  const b = tlsOf(exporterSpec({ name: 'otlp/b', endpoint: 'b.test:4317', tls: { caPem: c.ca.cert } }));
  t.equal(a.secureContext, b.secureContext, 'the same CA, from a file or inline, is one context');
  const other = tlsOf(exporterSpec({ name: 'otlp/c', endpoint: 'a.test:4317', tls: { caFile: c.otherCa.certFile } }));
  t.not(other.secureContext, a.secureContext, 'another CA is another context');
  const tls13 = tlsOf(exporterSpec({ name: 'otlp/d', endpoint: 'a.test:4317', tls: { caFile: c.ca.certFile, minVersion: '1.3' } }));
  t.not(tls13.secureContext, a.secureContext, 'so is another minimum version');
  const mtls = tlsOf(
    exporterSpec({ name: 'otlp/e', endpoint: 'a.test:4317', tls: { caFile: c.ca.certFile, certFile: c.client.certFile, keyFile: c.client.keyFile } }),
  );
  t.not(mtls.secureContext, a.secureContext, 'a client certificate makes its own context');
  t.equal(mtls.noCertContext, a.secureContext, 'whose certificate-less twin is the shared one');
  t.equal(a.checkName, 'a.test', 'names stay per exporter');
  t.equal(b.checkName, 'b.test');
});

t.test('a shared context still makes a full handshake on every probe', async (t) => {
  const resumed: boolean[] = [];
  const server = createServer({ cert: c.server.cert, key: c.server.key }, (req, res) => {
    resumed.push((req.socket as TLSSocket).isSessionReused());
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const probers = ['otlphttp/one', 'otlphttp/two'].map((name) =>
    createJudgedProber(exporterSpec({ name, protocol: 'http', endpoint: `https://localhost:${port}`, tls: { caPem: c.ca.cert } })),
  );
  t.teardown(() => probers.forEach((p) => p.close()));
  for (let round = 0; round < 3; round++) {
    for (const p of probers) {
      const r = await p.probe(probeContext());
      t.equal(r.up, true, JSON.stringify(r.problems));
    }
  }
  t.same(resumed, [false, false, false, false, false, false], 'six handshakes, none resumed');
});

t.test('TLS files are read on every load; what they hold is parsed again only when it changed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, c.ca.cert);
  const first = loadTlsMaterial({ insecure: false, insecureSkipVerify: false, caFile: ca });
  const again = loadTlsMaterial({ insecure: false, insecureSkipVerify: false, caFile: ca });
  t.ok(first.ok);
  t.equal(again, first, 'the same content gives the same parsed result');
  writeFileSync(ca, c.otherCa.cert);
  const changed = loadTlsMaterial({ insecure: false, insecureSkipVerify: false, caFile: ca });
  t.not(changed, first, 'a changed file is parsed anew');
  t.ok(changed.ok && changed.material.ca === c.otherCa.cert);
  writeFileSync(ca, 'not a certificate');
  const broken = loadTlsMaterial({ insecure: false, insecureSkipVerify: false, caFile: ca });
  t.same(broken, { ok: false, key: 'tls.ca_file', detail: 'no PEM certificate found' });
  const inline = loadTlsMaterial({ insecure: false, insecureSkipVerify: false, caPem: 'not a certificate' });
  t.same(inline, { ok: false, key: 'tls.ca_pem', detail: 'no PEM certificate found' }, 'the same text under another key names that key');
});
