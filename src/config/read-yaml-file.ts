import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';

/**
 * Reads and parses one YAML file. A missing or unreadable file names the file and the errno; a
 * syntax error names `file:line:col`. An empty file is null. `what` says whose file it is and how
 * to point at another one, for the message.
 */
export function readYamlFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : 'cannot be read';
    throw new ConfigError(file, '', `${what} ${why} (${code})`);
  }
  return parseYaml(file, text);
}

export function parseYaml(file: string, text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    const where = `${file}:${pos.line}:${pos.col}`;
    const detail = err.message.split('\n')[0] ?? 'invalid YAML';
    throw new ConfigError(where, '', `YAML syntax error: ${detail}`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

/** How a value is described in messages: its kind, and the value itself for scalars. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return `a string ("${v}")`;
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
