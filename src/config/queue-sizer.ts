import { child, isRaw, text, type Raw } from './collector-values.js';

/**
 * What an exporter's `sending_queue.queue_size` and the collector's `otelcol_exporter_queue_size`
 * and `otelcol_exporter_queue_capacity` count (exporterhelper's `sending_queue.sizer`):
 * `requests` (the default: one per batch the pipeline hands to the exporter), `items` (spans,
 * metric points or log records) or `bytes` (of the serialized data).
 */
export type QueueSizer = 'requests' | 'items' | 'bytes';

export const QUEUE_SIZERS: readonly QueueSizer[] = ['requests', 'items', 'bytes'];

/** The collector's default when `sending_queue.sizer` is not set. */
export const DEFAULT_QUEUE_SIZER: QueueSizer = 'requests';

export const isQueueSizer = (v: unknown): v is QueueSizer => typeof v === 'string' && (QUEUE_SIZERS as readonly string[]).includes(v);

/**
 * The sizer of every exporter defined in the (merged, env-expanded) collector config, by exporter
 * id. A value the collector refuses is left to the refused-config check; here it reads as the default.
 */
export function queueSizersOf(collector: Raw): Readonly<Record<string, QueueSizer>> {
  const out: Record<string, QueueSizer> = Object.create(null) as Record<string, QueueSizer>;
  const exporters = child(collector, 'exporters');
  if (!isRaw(exporters)) return out;
  for (const [id, block] of Object.entries(exporters)) {
    const sizer = text(child(child(block, 'sending_queue'), 'sizer'));
    out[id] = isQueueSizer(sizer) ? sizer : DEFAULT_QUEUE_SIZER;
  }
  return out;
}

const ITEMS_BY_DATA_TYPE: Readonly<Record<string, string>> = { traces: 'spans', metrics: 'metric points', logs: 'log records' };

/**
 * The unit a queue of this sizer counts in, in words: `requests`, `bytes`, and for `items` what an
 * item is in that data type's queue (`spans` in the traces queue), else `items`.
 */
export function queueUnit(sizer: QueueSizer, dataType?: string): string {
  if (sizer !== 'items') return sizer;
  return (dataType !== undefined && Object.hasOwn(ITEMS_BY_DATA_TYPE, dataType) ? ITEMS_BY_DATA_TYPE[dataType] : undefined) ?? 'items';
}
