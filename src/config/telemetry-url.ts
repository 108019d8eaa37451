import { child, numeric, text, type Raw } from './collector-values.js';

export const DEFAULT_TELEMETRY_URL = 'http://127.0.0.1:8888/metrics';

/** A host to scrape: wildcard and `localhost` listeners are reached on 127.0.0.1 from beside it. */
function scrapeHost(host: string): string {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (h === '' || h === '0.0.0.0' || h === '::' || h === 'localhost') return '127.0.0.1';
  return h.includes(':') ? `[${h}]` : h;
}

/**
 * Where the collector serves its own metrics, from `service.telemetry.metrics` (merged,
 * env-expanded): `level: none` serves nothing (''); the first pull reader with a Prometheus
 * exporter (its host defaults to localhost and its port to 8888, as in the collector's default
 * reader); readers without one push elsewhere (''); else the default. (The removed `address` key
 * is refused before this is read: see refused-config.ts.)
 */
export function telemetryUrlOf(collector: Raw): string {
  const metrics = child(child(child(collector, 'service'), 'telemetry'), 'metrics');
  if (text(child(metrics, 'level'))?.toLowerCase() === 'none') return '';
  const readers = child(metrics, 'readers');
  if (Array.isArray(readers) && readers.length > 0) {
    for (const r of readers) {
      const prom = child(child(child(r, 'pull'), 'exporter'), 'prometheus');
      if (prom === undefined) continue;
      const host = text(child(prom, 'host')) ?? 'localhost';
      const port = numeric(child(prom, 'port')) ?? 8888;
      return `http://${scrapeHost(host)}:${port}/metrics`;
    }
    return '';
  }
  return DEFAULT_TELEMETRY_URL;
}
