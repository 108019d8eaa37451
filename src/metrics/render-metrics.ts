import type { Registry } from 'prom-client';
import { versionOf } from './family-version.js';
import type { MetricsFormat } from './metrics-format.js';

interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}
interface FamilyData {
  name: string;
  help: string;
  type: string;
  values: Sample[];
}
interface Family {
  get(): Promise<FamilyData>;
}
interface CachedText {
  version: number;
  prometheus?: string;
  openmetrics?: string;
}

const cache = new WeakMap<object, CachedText>();

/**
 * Renders every family of a registry in the Prometheus text format or in OpenMetrics 1.0.
 * Families whose changes are counted (see family-version.ts) are rendered once per change and
 * reused, so a scrape of a thousand exporters costs little more than string concatenation.
 *
 * Rendered here rather than by prom-client: its OpenMetrics mode renames counter objects in place
 * (dropping `_total` from every later Prometheus-format answer) and cannot be chosen per request.
 */
export async function renderMetrics(registry: Registry, format: MetricsFormat): Promise<string> {
  const families = registry.getMetricsAsArray() as unknown as Family[];
  const parts = await Promise.all(families.map((f) => renderFamily(f, format)));
  const body = parts.join('');
  return format === 'openmetrics' ? `${body}# EOF\n` : body;
}

async function renderFamily(family: Family, format: MetricsFormat): Promise<string> {
  const version = versionOf(family);
  if (version !== undefined) {
    const hit = cache.get(family);
    const text = hit?.version === version ? hit[format] : undefined;
    if (text !== undefined) return text;
  }
  const data = await family.get();
  const text = format === 'openmetrics' ? openMetricsFamily(data) : prometheusFamily(data);
  if (version !== undefined) {
    let entry = cache.get(family);
    if (entry?.version !== version) {
      entry = { version };
      cache.set(family, entry);
    }
    entry[format] = text;
  }
  return text;
}

function prometheusFamily(f: FamilyData): string {
  let out = `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
  for (const s of f.values) out += sampleLine(s.metricName ?? f.name, s);
  return out;
}

function openMetricsFamily(f: FamilyData): string {
  // OpenMetrics names a counter family without `_total` and its samples with it.
  const counter = f.type === 'counter';
  const name = counter ? f.name.replace(/_total$/, '') : f.name;
  // OpenMetrics escapes double quotes in HELP as well.
  let out = `# HELP ${name} ${escapeLabel(f.help)}\n# TYPE ${name} ${f.type}\n`;
  for (const s of f.values) out += sampleLine(counter ? `${name}_total` : (s.metricName ?? name), s);
  return out;
}

function sampleLine(name: string, s: Sample): string {
  const labels = Object.entries(s.labels);
  const labelText =
    labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',')}}`;
  return `${name}${labelText} ${formatValue(s.value)}\n`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
