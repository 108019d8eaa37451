import t from 'tap';
import { EXPORTER_KINDS, exportsOtlp, OTLP_TYPES } from '../../src/config/exporter-kinds.js';
import type { ExporterProtocol } from '../../src/config/exporter-spec.js';
import { ENDPOINT_FORMS, formOf, PROTOCOLS, protocolTraits, type ProtocolTraits } from '../../src/config/protocols.js';
import { resolveEndpoint } from '../../src/config/endpoint.js';
import { staticProblems } from '../../src/diagnose/static-problems.js';
import { PHASES } from '../../src/diagnose/diagnosis.js';
import { LAYERS } from '../../src/probe/layers.js';
import { prepareExporter } from '../../src/probe/prepare-exporter.js';
import { statusView } from '../../src/views/status-view.js';
import { exporterSpec, probeOnce } from '../helpers/probe-fixtures.js';
import { startConnectProxy, startHttpServer, testLookup } from '../helpers/servers.js';
import { fixtureDiagnosis, healthyExporter } from '../helpers/diagnosis-fixture.js';

/**
 * The protocol table is the one place that says what a protocol means: every protocol has every
 * trait, and an exporter kind that reuses a protocol gets that protocol's behaviour from the table,
 * whatever its type name.
 */

const names = Object.keys(PROTOCOLS) as ExporterProtocol[];
const TRAITS = Object.keys(PROTOCOLS.grpc).sort();

t.test('every protocol has every trait, of the same type, and its layers', async (t) => {
  t.same(names.sort(), ['grpc', 'http', 'none', 'tcp']);
  for (const name of names) {
    const p: ProtocolTraits = PROTOCOLS[name];
    t.same(Object.keys(p).sort(), TRAITS, `${name}: the same traits as grpc`);
    for (const trait of TRAITS) {
      const a = (PROTOCOLS.grpc as unknown as Record<string, unknown>)[trait];
      const b = (p as unknown as Record<string, unknown>)[trait];
      if (a !== null && b !== null) t.equal(typeof b, typeof a, `${name}.${trait}: ${typeof a}`);
    }
    t.ok(Object.isFrozen(p), `${name}: frozen`);
    t.ok(p.label.length > 0, `${name}: has a label`);
    t.ok(Object.hasOwn(LAYERS, name), `${name}: has its layers`);
    t.equal(LAYERS[name].length > 0, p.probed, `${name}: layers exactly when probed`);
    t.equal(exportsOtlp(name), p.exportsOtlp, `${name}: exportsOtlp reads the table`);
    if (p.exportsOtlp) {
      t.ok(p.probed, `${name}: an OTLP export is a probe`);
      t.type(p.otlpPort, 'number', `${name}: an OTLP protocol has its well-known port`);
      t.not(p.otherProtocolPort?.port, p.otlpPort, `${name}: the other protocol's port is another port`);
    }
    t.equal(p.clientKeys.includes('proxy_url'), p.proxyUrlKey, `${name}: proxy_url is read exactly when the collector decodes it`);
    t.equal(p.clientKeys.includes('traces_endpoint'), p.signalEndpointKeys, `${name}: *_endpoint read exactly when decoded`);
    if (!p.exportsOtlp) t.same(p.clientKeys, [], `${name}: client keys are OTLP's`);
    if (p.requiresAlpnH2 && p.form) t.same(ENDPOINT_FORMS[p.form].alpn, ['h2'], `${name}: offers only h2 when it requires it`);
  }
  t.equal(PROTOCOLS.grpc.otherProtocolPort?.port, PROTOCOLS.http.otlpPort, 'grpc on the http port is the mismatch');
  t.equal(PROTOCOLS.http.otherProtocolPort?.port, PROTOCOLS.grpc.otlpPort, 'http on the grpc port is the mismatch');
});

t.test('every endpoint form has its ALPN list and the way the url fact shows it', async (t) => {
  for (const [form, f] of Object.entries(ENDPOINT_FORMS)) {
    t.ok(Array.isArray(f.alpn), `${form}: alpn`);
    t.match(f.shownAs, /^(url|authority)$/, `${form}: shownAs`);
  }
  for (const kind of EXPORTER_KINDS) {
    if (PROTOCOLS[kind.protocol].form === null && PROTOCOLS[kind.protocol].probed) {
      t.ok(kind.form === undefined || Object.hasOwn(ENDPOINT_FORMS, kind.form), `${kind.types[0]}: a known form`);
    }
  }
  t.equal(formOf({ protocol: 'grpc', endpointForm: 'url' }), 'grpc', 'the protocol form wins over the kind');
  t.equal(formOf({ protocol: 'tcp', endpointForm: 'host_port' }), 'host_port', 'tcp: the kind says');
  t.equal(formOf({ protocol: 'tcp' }), 'url', 'tcp without a form: a URL');
});

t.test('protocolTraits: only the protocols of the table, whatever value the facts hold', async (t) => {
  t.equal(protocolTraits('http'), PROTOCOLS.http);
  t.equal(protocolTraits('constructor'), undefined, 'no prototype key');
  t.equal(protocolTraits('ftp'), undefined);
  t.equal(protocolTraits(undefined), undefined);
  t.equal(protocolTraits(7), undefined);
});

t.test('OTLP types are the kinds whose protocol exports OTLP', async (t) => {
  t.same(
    [...OTLP_TYPES].sort(),
    EXPORTER_KINDS.filter((k) => PROTOCOLS[k.protocol].exportsOtlp)
      .flatMap((k) => k.types)
      .sort(),
  );
});

// An exporter kind nobody has written yet that reuses the http protocol: nothing names its type.
const fakeHttp = (o: Parameters<typeof exporterSpec>[0] = {}) => exporterSpec({ name: 'acme_otlp/x', type: 'acme_otlp', protocol: 'http', ...o });

t.test('a new kind reusing http: signal URL, ALPN, Host header and url fact by the table', async (t) => {
  const spec = fakeHttp({ endpoint: 'http://backend.test:4318', tracesEndpoint: 'http://backend.test:4318/custom/v1/traces' });
  const r = resolveEndpoint(spec);
  t.ok(r.ok);
  if (r.ok) t.equal(r.endpoint.url, 'http://backend.test:4318/custom/v1/traces', 'the per-signal key of http');
  const prepared = prepareExporter(fakeHttp({ endpoint: 'https://backend.test:4318' }));
  t.ok(prepared.ok);
  if (prepared.ok) {
    t.same(prepared.prep.tls?.alpn, ['h2', 'http/1.1'], 'the ALPN list of a URL endpoint');
    t.equal(prepared.prep.baseFacts.url, 'https://backend.test:4318/v1/traces', 'the url fact is the URL');
  }
  const plain = prepareExporter(fakeHttp({ endpoint: 'http://backend.test:4318' }));
  t.ok(plain.ok);
  if (plain.ok) t.equal(plain.prep.httpHeaders.host, 'backend.test:4318', 'plaintext may be forwarded: Host is set');
});

t.test('a new kind reusing http: the static checks of http', async (t) => {
  const ctx = { where: { exporter: 'acme_otlp/x' }, now: Date.now(), certExpiryMs: 0 };
  const onGrpcPort = staticProblems(fakeHttp({ endpoint: 'http://backend.test:4317' }), ctx);
  t.same(
    onGrpcPort.map((p) => p.reason),
    ['http_port_mismatch'],
  );
  const oddPath = staticProblems(fakeHttp({ endpoint: 'http://backend.test:4318', tracesEndpoint: 'http://backend.test:4318/ingest' }), ctx);
  t.same(
    oddPath.map((p) => p.reason),
    ['traces_path_unusual'],
  );
});

t.test('a new kind reusing http: proxy_url is read and plaintext is forwarded in absolute form', async (t) => {
  const proxy = await startConnectProxy();
  const s = await startHttpServer();
  t.teardown(() => Promise.all([proxy.close(), s.close()]));
  const r = await probeOnce(fakeHttp({ endpoint: `http://127.0.0.1:${s.port}`, proxyUrl: proxy.url }), { lookup: testLookup() });
  t.equal(r.up, true, JSON.stringify(r.problems));
  t.same(proxy.seen, [`http://127.0.0.1:${s.port}/v1/traces`], 'absolute form through proxy_url, no CONNECT');
  t.same(
    s.requests.map((q) => `${q.method} ${q.url}`),
    ['POST /v1/traces'],
  );
  t.same(r.proxy, { url: proxy.url, source: 'proxy_url', mode: 'forward' });
});

t.test('the status page names each protocol by its label from the table', async (t) => {
  const view = statusView(PHASES, PROTOCOLS);
  for (const name of names) {
    const e = { ...healthyExporter(), name: `x/${name}`, type: 'acme', protocol: name, endpoint: '' };
    const html = view.renderApp(fixtureDiagnosis({ exporters: [e] }), Date.now(), null);
    t.match(html, `acme · ${PROTOCOLS[name].label}</span>`, `${name}: its label`);
    t.match(html, PROTOCOLS[name].probed ? '(no endpoint)' : '(not probed)', `${name}: an empty endpoint`);
  }
  const unknown = { ...healthyExporter(), name: 'x/odd', type: 'acme', protocol: 'constructor' as 'none', endpoint: '' };
  const html = view.renderApp(fixtureDiagnosis({ exporters: [unknown] }), Date.now(), null);
  t.match(html, 'acme · not probed</span>', 'a protocol the table does not know');
  t.match(html, '(no endpoint)');
});
