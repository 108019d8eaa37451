import { createHash } from 'node:crypto';

/**
 * Remembers what was made from some content (PEM text, say) for as long as something still uses
 * it: values are held weakly and their keys dropped once collected, so the memo never outgrows
 * what is alive. Keys are SHA-256 digests of the parts, never the parts themselves.
 */
export function contentMemo<V extends object>(): (parts: readonly (string | undefined)[], make: () => V) => V {
  const live = new Map<string, WeakRef<V>>();
  const registry = new FinalizationRegistry<string>((key) => {
    if (live.get(key)?.deref() === undefined) live.delete(key);
  });
  return (parts, make) => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p === undefined ? '-' : `+${Buffer.byteLength(p)}:${p}`);
    const key = h.digest('base64');
    const known = live.get(key)?.deref();
    if (known !== undefined) return known;
    const made = make();
    live.set(key, new WeakRef(made));
    registry.register(made, key);
    return made;
  };
}
