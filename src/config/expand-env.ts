import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseDocument } from 'yaml';
import { setKey } from './collector-values.js';
import { formatBytes, formatSize } from './read-bounded-file.js';

/**
 * Environment references in the collector's configuration, expanded the way the collector's
 * confmap resolver and env provider do it (default scheme `env`):
 *
 * - `${env:NAME}` and `${NAME}`: the variable's value; an unset variable gives "" (the collector
 *   only logs a warning). `${env:NAME:-default}`: the default when NAME is unset (not when empty).
 * - The resolver looks at the first `}` and the last `${` before it (so nested references expand
 *   inside out), replaces every occurrence of that reference, and starts again until nothing
 *   changes (at most 1000 rounds). Values of variables are expanded again in the next round.
 * - A `${` preceded by an odd number of `$` is escaped; as in the collector, an escaped reference
 *   stops the expansion of the rest of that value. Afterwards every `$$` becomes `$`.
 * - A bare `$NAME` is left as it is (the old expandconverter is gone).
 * - Only values are expanded, never keys.
 * - A whole value that is one reference (`endpoint: ${env:X}`) is typed from YAML by the collector
 *   when the target field is a bool or number, and keeps its text for string fields. We keep the
 *   text and convert where a key is a bool or number, which yields the same value.
 * - `${file:PATH}` (the file provider) is the file's content, byte for byte (a trailing newline
 *   stays). A whole value that is one file reference whose content is a YAML map or list becomes
 *   that map or list, as the collector's confmap makes it; any other content is the text. Only an
 *   absolute path is read (the collector reads a relative one from its own working directory).
 * - Schemes other than `env` and `file` (http, yaml, custom providers), and a file that cannot be
 *   read here, are not resolved: the reference is left in place and reported in `unsupported`.
 */

/** A position in the parsed YAML tree: map keys and list indexes. */
export type TreePath = readonly (string | number)[];

export interface EnvReference {
  readonly path: TreePath;
  readonly variable: string;
  /** whether the variable exists in the environment (an empty value counts as set) */
  readonly set: boolean;
  /** unset, and a `:-default` was used */
  readonly defaulted: boolean;
}

export interface UnsupportedReference {
  readonly path: TreePath;
  /** the reference as written, e.g. `${file:/etc/token}` */
  readonly reference: string;
  /** why a readable file was not read: `is 2,000,000 bytes (1.9 MiB), over the limit of 1 MiB` */
  readonly why?: string;
}

/** A `${file:...}` reference that was read. */
export interface FileReference {
  readonly path: TreePath;
  readonly reference: string;
}

export interface Expansion {
  readonly value: unknown;
  readonly references: readonly EnvReference[];
  readonly unsupported: readonly UnsupportedReference[];
  readonly files: readonly FileReference[];
}

/** A reference the collector itself rejects at start (bad name, `$` inside, malformed). */
export class ExpansionError extends Error {
  override readonly name = 'ExpansionError';
  constructor(
    readonly path: TreePath,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

const URI = /^([A-Za-z][A-Za-z0-9+.-]+):([\s\S]*)$/;
const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_ROUNDS = 1000;
/** Longer than any value a config needs (a CA bundle is a few hundred KB); stops a self-reference doubling each round. */
export const MAX_EXPANDED_LENGTH = 1 << 20;

/** `exporters.otlp/tempo.headers.authorization`, `service.pipelines.traces.exporters[0]` */
export function formatPath(path: TreePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** The collector's findURI: the innermost reference ending at the first `}`, or '' when escaped/none. */
function findReference(input: string): string {
  let text = input;
  for (;;) {
    const close = text.indexOf('}');
    if (close < 0) return '';
    const open = text.lastIndexOf('${', close);
    if (open < 0) {
      text = text.slice(close + 1);
      continue;
    }
    let dollars = 0;
    for (let i = open - 1; i >= 0 && text[i] === '$'; i--) dollars++;
    if (dollars % 2 === 1) return '';
    return text.slice(open, close + 1);
  }
}

interface Sink {
  refs: EnvReference[];
  unsupported: UnsupportedReference[];
  files: FileReference[];
  /** a variable missing from `env` without a default is not known here: left as written (see ExpandOptions) */
  unknownUnset?: boolean;
}

export interface ExpandOptions {
  /**
   * `env` is not the whole environment the collector resolves against (its own could not be read):
   * a variable missing from it, without a `:-default`, is left as written and listed as unsupported,
   * as an unreadable file is, instead of expanding to "" as an unset variable does.
   */
  readonly unknownUnset?: boolean;
}

/** What reading a `${file:PATH}` reference gave: its content, or nothing (and why, when known). */
type FileRead = { readonly content: string } | { readonly content: null; readonly why?: string };

/** The content of a `${file:PATH}` reference, or null when it cannot (or may not) be read here. */
function readReferencedFile(path: string): FileRead {
  if (!isAbsolute(path)) return { content: null };
  const tooLarge = (size: number): FileRead => ({ content: null, why: `is ${formatSize(size)}, over the limit of ${formatBytes(MAX_EXPANDED_LENGTH)}` });
  try {
    // a regular file of bounded size only: /dev/zero never ends, a FIFO would block the daemon
    const st = statSync(path);
    if (!st.isFile()) return { content: null };
    if (st.size > MAX_EXPANDED_LENGTH) return tooLarge(st.size);
    const content = readFileSync(path, 'utf8');
    return content.length > MAX_EXPANDED_LENGTH ? tooLarge(Buffer.byteLength(content)) : { content };
  } catch {
    return { content: null };
  }
}

/** `${file:PATH}` -> PATH, else null. */
function fileTarget(ref: string): string | null {
  const m = /^\$\{file:([\s\S]*)\}$/.exec(ref);
  return m ? (m[1] ?? '') : null;
}

function resolveReference(ref: string, env: Environment, path: TreePath, sink: Sink): string | null {
  let inner = ref.slice(2, -1);
  if (!inner.includes(':')) inner = `env:${inner}`;
  const m = URI.exec(inner);
  if (!m) throw new ExpansionError(path, `invalid reference "${ref}": expected \${env:NAME} or \${NAME}`);
  const scheme = m[1] ?? '';
  const opaque = m[2] ?? '';
  if (opaque.includes('$')) {
    throw new ExpansionError(path, `the reference "${ref}" contains unsupported characters ('$')`);
  }
  if (scheme === 'file') {
    const read = readReferencedFile(opaque);
    const content = read.content;
    if (content === null) {
      sink.unsupported.push({ path, reference: ref, ...('why' in read && read.why !== undefined ? { why: read.why } : {}) });
      return null;
    }
    if (!sink.files.some((r) => r.reference === ref && samePath(r.path, path))) sink.files.push({ path, reference: ref });
    return content;
  }
  if (scheme !== 'env') {
    sink.unsupported.push({ path, reference: ref });
    return null;
  }
  const cut = opaque.indexOf(':-');
  const name = cut < 0 ? opaque : opaque.slice(0, cut);
  const fallback = cut < 0 ? undefined : opaque.slice(cut + 2);
  if (!ENV_NAME.test(name)) {
    throw new ExpansionError(path, `environment variable "${name}" has an invalid name: it must match ${ENV_NAME.source}`);
  }
  // own variables only: `${env:constructor}` is a variable name, not Object's constructor
  const own = Object.hasOwn(env, name) ? env[name] : undefined;
  const value = typeof own === 'string' ? own : undefined;
  const set = value !== undefined;
  if (!set && fallback === undefined && sink.unknownUnset) {
    sink.unsupported.push({ path, reference: ref });
    return null;
  }
  if (!sink.refs.some((r) => r.variable === name && samePath(r.path, path))) {
    sink.refs.push({ path, variable: name, set, defaulted: !set && fallback !== undefined });
  }
  return set ? value : (fallback ?? '');
}

const samePath = (a: TreePath, b: TreePath): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** Expands one string value; `path` names it in errors and references. */
export function expandText(input: string, env: Environment, path: TreePath = [], sink?: Sink): string {
  const out: Sink = sink ?? { refs: [], unsupported: [], files: [] };
  // Unsupported schemes are parked behind placeholders so the rest of the value still expands.
  const parked: string[] = [];
  let value = input;
  let rounds = 0;
  for (;;) {
    if (!value.includes('${') || !value.includes('}')) break;
    const ref = findReference(value);
    if (ref === '') break;
    if (++rounds > MAX_ROUNDS) throw new ExpansionError(path, 'too many recursive expansions');
    const resolved = resolveReference(ref, env, path, out);
    if (resolved === null) {
      parked.push(ref);
      value = value.split(ref).join(`\u0000${parked.length - 1}\u0000`);
    } else {
      value = value.split(ref).join(resolved);
    }
    if (value.length > MAX_EXPANDED_LENGTH) {
      throw new ExpansionError(
        path,
        `the value grows to ${value.length.toLocaleString('en-US')} characters while expanding, over the limit of ${MAX_EXPANDED_LENGTH.toLocaleString('en-US')} (1 Mi): a variable holds more than a config value can, or refers to itself`,
      );
    }
  }
  value = value.replace(/\u0000(\d+)\u0000/g, (_, i: string) => parked[Number(i)] ?? '');
  return value.split('$$').join('$');
}

/** How deep whole-value file references may nest in each other (a file naming itself). */
const MAX_FILE_NESTING = 10;

function walk(node: unknown, env: Environment, path: (string | number)[], sink: Sink, nesting = 0): unknown {
  if (typeof node === 'string') {
    const target = fileTarget(node);
    if (target !== null && !target.includes('$') && findReference(node) === node) {
      // a whole value: a map or list in the file is that map or list
      const content = readReferencedFile(target).content;
      const parsed = content === null ? undefined : parseStructure(content);
      if (parsed !== undefined) {
        if (nesting >= MAX_FILE_NESTING) throw new ExpansionError(path, 'too many recursive expansions');
        if (!sink.files.some((r) => r.reference === node && samePath(r.path, path))) sink.files.push({ path: [...path], reference: node });
        return walk(parsed, env, path, sink, nesting + 1);
      }
    }
    return expandText(node, env, [...path], sink);
  }
  if (Array.isArray(node)) return node.map((v, i) => walk(v, env, [...path, i], sink, nesting));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) setKey(out, k, walk(v, env, [...path, k], sink, nesting));
    return out;
  }
  return node;
}

/** Expands every string scalar of a parsed YAML tree (not keys). Throws ExpansionError. */
export function expandEnv(tree: unknown, env: Environment, opts: ExpandOptions = {}): Expansion {
  const sink: Sink = { refs: [], unsupported: [], files: [], ...(opts.unknownUnset ? { unknownUnset: true } : {}) };
  const value = walk(tree, env, [], sink);
  return { value, references: sink.refs, unsupported: sink.unsupported, files: sink.files };
}

/** A file's content as a YAML map or list, else undefined (text, a scalar, or not YAML). */
function parseStructure(content: string): unknown {
  let v: unknown;
  try {
    const doc = parseDocument(content, { merge: true, logLevel: 'silent' });
    if (doc.errors.length > 0) return undefined;
    v = doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return undefined;
  }
  return v !== null && typeof v === 'object' ? v : undefined;
}
