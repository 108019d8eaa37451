import { child, getIn, isRaw, setKey, type Raw } from './collector-values.js';

export interface ConfigDocument {
  readonly file: string;
  readonly tree: Raw;
}

/**
 * Merges collector config files the way the collector's resolver does (koanf's Merge): later
 * files win; maps merge key by key, recursively; any other value (lists included, and null)
 * replaces the earlier one.
 */
export function mergeConfigs(docs: readonly ConfigDocument[]): Raw {
  const out: Raw = {};
  for (const d of docs) mergeInto(out, d.tree);
  return out;
}

function mergeInto(target: Raw, src: Raw): void {
  for (const [k, v] of Object.entries(src)) {
    // own keys only: a `__proto__` key must not reach Object.prototype
    const existing = child(target, k);
    if (isRaw(v) && isRaw(existing)) mergeInto(existing, v);
    else setKey(target, k, isRaw(v) ? structuredClone(v) : v);
  }
}

/**
 * The file that gave a key its value: the last file holding the longest prefix of the path, for
 * error messages and ExporterSpec.source.
 */
export function sourceOf(docs: readonly ConfigDocument[], path: readonly (string | number)[]): string {
  for (let len = path.length; len > 0; len--) {
    const prefix = path.slice(0, len);
    for (let i = docs.length - 1; i >= 0; i--) {
      const d = docs[i]!;
      if (getIn(d.tree, prefix) !== undefined) return d.file;
    }
  }
  return docs[docs.length - 1]?.file ?? '';
}
