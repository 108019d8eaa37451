import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadSentinelConfig } from '../../src/config/load-sentinel-config.js';
import { readCollectorConfig } from '../../src/config/read-collector-config.js';
import {
  KUSTOMIZATION_KEY,
  MANIFESTS_DIR,
  manifestDocuments,
  manifestFiles,
  validateObject,
  type KubeObject,
} from '../helpers/ops/kube-manifests.js';

const docs = manifestDocuments();
const objects = docs.map((d) => d.object);
const find = (kind: string, name?: string): KubeObject => {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}${name ? ` "${name}"` : ''} under deploy/kubernetes`);
  return o;
};

// The shapes the assertions below read; the schemas above have already checked the rest.
interface Probe { httpGet?: { path?: string; port?: string | number } }
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
  privileged?: boolean;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface PodSpec {
  shareProcessNamespace?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}
interface DeploymentShape extends KubeObject {
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const deployment = find('Deployment') as DeploymentShape;
const pod = deployment.spec.template.spec;
const sentinel = pod.containers.find((c) => c.name === 'otel-sentinel');
const collector = pod.containers.find((c) => c.name === 'otel-collector');

t.test('every document validates against the Kubernetes and Prometheus Operator schemas', async (t) => {
  t.ok(docs.length >= 9, `${docs.length} documents`);
  for (const d of docs) {
    const where = `${basename(d.file)}#${d.index}`;
    if (`${d.object.apiVersion}/${d.object.kind}` === KUSTOMIZATION_KEY) continue;
    t.doesNotThrow(() => validateObject(d.object, where), `${where}: ${d.object.kind} ${d.object.metadata?.name}`);
  }
});

t.test('validation catches what it should', async (t) => {
  t.throws(
    () => validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, 'x.yaml'),
    /x\.yaml: unknown kind example\.com\/v1\/Widget/,
  );
  const broken = structuredClone(deployment) as unknown as { spec: { template: { spec: { containers: { ports?: unknown[] }[] } } } };
  broken.spec.template.spec.containers[0]!.ports = [{ containerPort: 'thirteen' }];
  t.throws(() => validateObject(broken as unknown as KubeObject, 'deployment.yaml'), /containerPort must be integer/);
  const rule = structuredClone(find('PrometheusRule')) as unknown as { spec: { groups: { rules: unknown }[] } };
  rule.spec.groups[0]!.rules = 'not a list';
  t.throws(() => validateObject(rule as unknown as KubeObject, 'prometheusrule.yaml'), /invalid/);
});

t.test('the kustomization lists every manifest, with the PodMonitor as the alternative', async (t) => {
  const k = find('Kustomization') as KubeObject & { resources: string[] };
  for (const r of k.resources) t.ok(existsSync(join(MANIFESTS_DIR, r)), `${r} exists`);
  const files = manifestFiles().map((f) => basename(f));
  for (const f of files) {
    if (f === 'kustomization.yaml' || f === 'podmonitor.yaml') continue;
    t.ok(k.resources.includes(f), `${f} is a resource of the kustomization`);
  }
  t.notOk(k.resources.includes('podmonitor.yaml'), 'not scraped twice: the PodMonitor is not on by default');
  t.match(readFileSync(join(MANIFESTS_DIR, 'kustomization.yaml'), 'utf8'), /#\s*- podmonitor\.yaml/);
});

t.test('the collector pod shares its process namespace with the sentinel sidecar', async (t) => {
  t.equal(pod.shareProcessNamespace, true);
  t.ok(sentinel, 'an otel-sentinel container');
  t.ok(collector, 'an otel-collector container');
  t.match(sentinel?.image, /^ghcr\.io\/otel-sentinel\/otel-sentinel:\d+\.\d+\.\d+$/, 'sentinel image pinned to a version');
  t.match(collector?.image, /:\d+\.\d+\.\d+$/, 'collector image pinned to a version');
  t.same(sentinel?.args, ['serve', '--config', '/etc/otel-sentinel/sentinel.yaml']);
});

t.test('liveness follows the sentinel itself (/livez), readiness /readyz, on port 13134', async (t) => {
  const port = sentinel?.ports?.find((p) => p.name === 'metrics');
  t.equal(port?.containerPort, 13134);
  t.equal(sentinel?.livenessProbe?.httpGet?.path, '/livez');
  t.equal(sentinel?.readinessProbe?.httpGet?.path, '/readyz');
  t.equal(sentinel?.livenessProbe?.httpGet?.port, 'metrics');
  t.equal(sentinel?.readinessProbe?.httpGet?.port, 'metrics');
});

t.test('the sentinel has small, measured resources', async (t) => {
  t.same(sentinel?.resources?.requests, { cpu: '20m', memory: '96Mi' });
  t.same(sentinel?.resources?.limits, { memory: '160Mi' });
});

t.test('both containers are hardened and run as the same uid', async (t) => {
  t.equal(pod.securityContext?.runAsNonRoot, true, 'pod: runAsNonRoot');
  t.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', 'pod: seccomp RuntimeDefault');
  for (const c of pod.containers) {
    const sc = c.securityContext ?? {};
    t.equal(sc.runAsNonRoot, true, `${c.name}: runAsNonRoot`);
    t.equal(sc.allowPrivilegeEscalation, false, `${c.name}: allowPrivilegeEscalation false`);
    t.equal(sc.readOnlyRootFilesystem, true, `${c.name}: readOnlyRootFilesystem`);
    t.same(sc.capabilities?.drop, ['ALL'], `${c.name}: drops ALL capabilities`);
    t.notOk(sc.capabilities?.add?.length, `${c.name}: adds none`);
    t.notOk(sc.privileged, `${c.name}: not privileged`);
  }
  // reading /proc/PID/fd and /proc/PID/environ of the collector needs the same uid
  const uid = (c: Container | undefined) => c?.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  t.ok(uid(sentinel) !== undefined && uid(sentinel)! > 0, 'sentinel uid set, not root');
  t.equal(uid(sentinel), uid(collector), 'sentinel and collector share a uid');
});

t.test('the collector config is mounted read-only into both containers at the same path', async (t) => {
  const vol = pod.volumes?.find((v) => v.configMap?.name === 'otel-collector-config');
  t.ok(vol, 'a volume from the collector ConfigMap');
  const mountOf = (c: Container | undefined) => c?.volumeMounts?.find((m) => m.name === vol?.name);
  t.equal(mountOf(sentinel)?.readOnly, true, 'read-only in the sentinel');
  t.equal(mountOf(collector)?.readOnly, true, 'read-only in the collector');
  t.equal(mountOf(sentinel)?.mountPath, mountOf(collector)?.mountPath, 'same path in both');
  const sentinelVol = pod.volumes?.find((v) => v.configMap?.name === 'otel-sentinel-config');
  const sentinelMount = sentinel?.volumeMounts?.find((m) => m.name === sentinelVol?.name);
  t.equal(sentinelMount?.mountPath, '/etc/otel-sentinel');
  t.equal(sentinelMount?.readOnly, true);
  // the collector runs the file the sentinel reads
  t.match(collector?.args?.join(' '), new RegExp(`--config=${mountOf(collector)?.mountPath}`));
});

t.test('the shipped configs are accepted by the sentinel and name the collector exporters', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-manifests-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = (name: string, key: string) => {
    const cm = find('ConfigMap', name) as KubeObject & { data: Record<string, string> };
    const text = cm.data[key];
    if (text === undefined) throw new Error(`ConfigMap ${name} has no key ${key}`);
    const file = join(dir, key);
    writeFileSync(file, text);
    return file;
  };
  const sentinelFile = data('otel-sentinel-config', 'sentinel.yaml');
  const collectorFile = data('otel-collector-config', 'config.yaml');
  const cfg = loadSentinelConfig(sentinelFile);
  t.equal(cfg.listen.port, 13134);
  const collectorMount = collector?.volumeMounts?.find((m) => m.subPath === 'config.yaml')?.mountPath;
  t.same(cfg.collector.configFiles, [collectorMount], 'reads the collector config where it is mounted');
  const model = readCollectorConfig({ files: [collectorFile], env: {}, sentinel: cfg, now: Date.now() });
  t.same(model.exporters.map((e) => e.name).sort(), ['otlp/tempo', 'otlphttp/vendor']);
  t.equal(model.telemetryUrl, 'http://127.0.0.1:8888/metrics');
});

t.test('services and monitors scrape the sentinel as job "otel-sentinel"', async (t) => {
  const svc = find('Service', 'otel-sentinel') as KubeObject & {
    spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] };
  };
  t.match(svc.metadata.name, /otel-sentinel/, 'the Service name is the job label: it contains otel-sentinel');
  t.same(svc.spec.ports.map((p) => [p.name, p.port, p.targetPort]), [['metrics', 13134, 'metrics']]);
  t.same(svc.spec.selector, deployment.spec.selector.matchLabels, 'selects the collector pods');

  const sm = find('ServiceMonitor') as KubeObject & {
    spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path?: string; relabelings?: { action: string; regex: string }[] }[] };
  };
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) t.equal(svc.metadata.labels?.[k], v, `ServiceMonitor selects the Service by ${k}`);
  t.equal(sm.spec.endpoints[0]?.port, 'metrics');
  t.equal(sm.spec.endpoints[0]?.path, '/metrics');
  t.ok(sm.spec.endpoints[0]?.relabelings?.some((r) => r.action === 'labeldrop' && r.regex === 'endpoint'), 'keeps exporter_info\'s endpoint label');

  const pm = find('PodMonitor') as KubeObject & {
    spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] };
  };
  t.match(pm.metadata.name, /otel-sentinel/, 'the PodMonitor job is <namespace>/otel-sentinel');
  for (const [k, v] of Object.entries(pm.spec.selector.matchLabels)) t.equal(deployment.spec.template.metadata.labels[k], v, `PodMonitor selects the pods by ${k}`);
  t.equal(pm.spec.podMetricsEndpoints[0]?.port, 'metrics');
});
