/**
 * Lenient reading of collector config values. After env expansion a value may be the text of a
 * whole-value reference (`insecure: ${env:INSECURE}`), which the collector types from YAML; these
 * helpers do the same conversion where a key is a bool, a number or a string.
 */

export type Raw = Record<string, unknown>;

export const isRaw = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A key of a map: own keys only, so `constructor` or `__proto__` in a config is just a key. */
export const child = (v: unknown, key: string): unknown => (isRaw(v) && Object.hasOwn(v, key) ? v[key] : undefined);

/** Sets a key as an own property: plain assignment of `__proto__` would replace the prototype. */
export function setKey(target: Raw, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A string key: strings as they are, numbers and booleans as text, anything else absent. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A bool key: true, or the YAML 1.2 spellings of true. */
export function flag(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  return typeof v === 'string' && /^(true|True|TRUE)$/.test(v.trim());
}

/** A number key: numbers, or text that is a number. */
export function numeric(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** The value at a path, or undefined. */
export function getIn(tree: unknown, path: readonly (string | number)[]): unknown {
  let node = tree;
  for (const seg of path) {
    if (typeof seg === 'number') node = Array.isArray(node) ? node[seg] : undefined;
    else node = child(node, seg);
    if (node === undefined) return undefined;
  }
  return node;
}
