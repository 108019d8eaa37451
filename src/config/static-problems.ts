import { signalOverride } from './endpoint.js';
import type { ExporterSpec } from './exporter-spec.js';
import { PROTOCOLS } from './protocols.js';

/** The key of the URL probed and its text as the user wrote it (for messages). */
export function endpointKeyOf(spec: ExporterSpec): { key: string; shown: string } {
  const traits = PROTOCOLS[spec.protocol];
  if (traits.kindEndpointKey) return { key: spec.endpointKey ?? 'endpoint', shown: spec.endpoint };
  const o = traits.signalEndpointKeys ? signalOverride(spec) : { key: '', value: undefined };
  return o.value ? { key: o.key, shown: o.value } : { key: 'endpoint', shown: spec.endpoint };
}
