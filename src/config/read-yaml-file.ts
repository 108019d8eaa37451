import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';
import { clip, quote } from './quote.js';
import { FileTooLargeError, formatBytes, readBoundedTextSync } from './read-bounded-file.js';

/**
 * Reads and parses one YAML file. A missing or unreadable file names the file and the errno; a
 * syntax error names `file:line:col`. An empty file is null. `what` says whose file it is and how
 * to point at another one, for the message. A file over `limit` bytes is refused before it is
 * read, with its size and the limit.
 */
export function readYamlFile(file: string, what: string, limit: number): unknown {
  let text: string;
  try {
    text = readBoundedTextSync(file, limit);
  } catch (err) {
    if (err instanceof FileTooLargeError) {
      throw new ConfigError(file, '', `${what} ${err.detail}; a config is far smaller: check that the path names the right file (the limit of ${formatBytes(limit)} is fixed)`);
    }
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : 'cannot be read';
    throw new ConfigError(file, '', `${what} ${why} (${code})`);
  }
  return parseYaml(file, text);
}

/** More values than any real config holds once aliases are copied out: an alias bomb. */
export const MAX_YAML_VALUES = 1_000_000;
/** Deeper than any real config; keeps every recursive reader of the tree within the stack. */
export const MAX_YAML_DEPTH = 1_000;

export function parseYaml(file: string, text: string): unknown {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml's warnings would go to stderr, past our logger. merge: `<<: *base`
  // merge keys, which the collector's YAML reader honours (keys written beside them win).
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, merge: true, lineCounter, logLevel: 'error' });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    const where = `${file}:${pos.line}:${pos.col}`;
    const detail = clip(err.message.split('\n')[0] ?? 'invalid YAML');
    throw new ConfigError(where, '', `YAML syntax error: ${detail}`);
  }
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // yaml throws a ReferenceError for an alias without anchor and for an alias bomb. The alias
    // error quotes the alias name, which is whatever followed a `*`: often a secret written
    // unquoted (`x-api-key: *abc...`), so it is never repeated.
    const message = String((e as Error)?.message ?? e);
    const detail =
      e instanceof RangeError
        ? 'the document is nested too deeply'
        : /unresolved alias/i.test(message)
          ? 'a value starts with "*", which YAML reads as an alias to an anchor that is not defined; quote the value if "*" is part of it'
          : clip(message.split('\n')[0] ?? '');
    throw new ConfigError(file, '', `YAML error: ${detail}`);
  }
  let shape: Shape | 'cycle';
  try {
    shape = measure(tree);
  } catch (e) {
    // a chain of aliases can nest deeper than the text does
    if (e instanceof RangeError) throw new ConfigError(file, '', 'YAML error: the document is nested too deeply');
    throw e;
  }
  if (shape === 'cycle') {
    throw new ConfigError(file, '', 'YAML error: an alias refers to a node that contains it; copy the values instead of aliasing an enclosing anchor');
  }
  if (shape.values > MAX_YAML_VALUES) {
    throw new ConfigError(file, '', `YAML error: aliases expand to more than ${MAX_YAML_VALUES} values; copy what you need instead of nesting aliases`);
  }
  if (shape.depth > MAX_YAML_DEPTH) throw new ConfigError(file, '', `YAML error: nested more than ${MAX_YAML_DEPTH} levels deep`);
  return tree;
}

interface Shape {
  values: number;
  depth: number;
}

/**
 * The size of a parsed tree as if every alias were copied out, and its depth; 'cycle' when an
 * alias points into its own anchor. yaml shares the object of an anchor between its aliases, so
 * each object is measured once.
 */
function measure(root: unknown): Shape | 'cycle' {
  const done = new Map<object, Shape>();
  const open = new Set<object>();
  const visit = (v: unknown): Shape | 'cycle' => {
    if (v === null || typeof v !== 'object') return { values: 1, depth: 0 };
    const known = done.get(v);
    if (known) return known;
    if (open.has(v)) return 'cycle';
    open.add(v);
    const shape: Shape = { values: 1, depth: 0 };
    for (const child of Object.values(v)) {
      const c = visit(child);
      if (c === 'cycle') return c;
      // capped, so sums of shared subtrees stay small numbers
      shape.values = Math.min(shape.values + c.values, MAX_YAML_VALUES + 1);
      shape.depth = Math.max(shape.depth, c.depth + 1);
    }
    open.delete(v);
    done.set(v, shape);
    return shape;
  };
  return visit(root);
}

/** How a value is described in messages: its kind, and the value itself for scalars. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return `a string (${quote(v)})`;
    case 'number':
      return `a number (${v})`;
    case 'boolean':
      return `a boolean (${v})`;
    case 'object':
      return 'a map';
    default:
      return typeof v;
  }
}

export const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
