/**
 * Renders a JavaScript tree as YAML text with random style, for the property tests: block and
 * flow collections, plain, quoted and literal scalars, anchors, aliases (to earlier nodes, to
 * ancestors, to nothing), merge keys, tags; then optional damage to the text (BOM, tabs, CRLF, junk
 * bytes, a second document, truncation).
 */
import fc from 'fast-check';

/** A scalar written exactly as given (`.nan`, `1e999`, `!!binary`, `*nowhere` ...). */
export class RawScalar {
  constructor(readonly text: string) {}
}

export type Pick = (n: number) => number;

/** `fc.gen()` as a source of choices, so the rendering replays and shrinks with the case. */
export const picker = (g: fc.GeneratorValue): Pick => (n) => (n <= 1 ? 0 : g(pickArb, n - 1));
// unbiased: fast-check leans to small numbers, which would make every rare choice common
const pickArb = (max: number): fc.Arbitrary<number> => fc.noBias(fc.nat(max));

const ANCHORS = ['a', 'b', 'c', 'base', 'x1'];
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./ -]*$/;

class Renderer {
  private readonly anchors: string[] = [];
  /** clean: no aliases, merge keys, tags or unquoted scalars YAML would misread */
  constructor(
    private readonly pick: Pick,
    private readonly clean: boolean,
  ) {}

  key(k: string): string {
    const p = this.pick(12);
    if (p === 0 && !/[\n\r]/.test(k)) return `'${k.replace(/'/g, "''")}'`;
    if (p === 1 || !PLAIN.test(k) || k.endsWith(' ')) return JSON.stringify(k);
    return k;
  }

  scalar(v: unknown, indent: string): string {
    if (v instanceof RawScalar) return v.text;
    if (v === null || v === undefined) return ['null', '~', '', 'Null'][this.pick(4)]!;
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return '.nan';
      if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
      return String(v);
    }
    if (typeof v === 'boolean') return this.pick(5) === 0 ? (v ? 'True' : 'FALSE') : String(v);
    const s = String(v);
    const p = this.pick(40);
    // a single-quoted scalar folds line breaks; a literal block keeps them, but not leading spaces
    if (p < 4 && !/[\n\r]/.test(s)) return `'${s.replace(/'/g, "''")}'`;
    if (p < 8 && indent !== '' && s.split('\n').every((l) => /^[^\s]/.test(l) && !/[\r\t]/.test(l))) {
      // a literal block scalar; YAML keeps the text, minus the indentation
      return `|-\n${s.split('\n').map((l) => `${indent}  ${l}`).join('\n')}`;
    }
    if (p === 8 && !this.clean) return s; // plain even where YAML reads it otherwise, or not at all
    return PLAIN.test(s) && !s.endsWith(' ') && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : JSON.stringify(s);
  }

  /** An alias in place of a value, now and then: to an anchor so far (maybe an ancestor) or none. */
  alias(): string | null {
    if (this.clean) return null;
    const p = this.pick(300);
    if (p < 6 && this.anchors.length > 0) return `*${this.anchors[this.pick(this.anchors.length)]!}`;
    if (p === 6) return `*${ANCHORS[this.pick(ANCHORS.length)]!}`;
    return null;
  }

  anchor(): string {
    if (this.pick(8) !== 0) return '';
    const name = ANCHORS[this.pick(ANCHORS.length)]!;
    this.anchors.push(name);
    return `&${name} `;
  }

  tag(): string {
    if (this.clean) return '';
    const p = this.pick(200);
    if (p === 0) return '!!str ';
    if (p === 1) return '!custom ';
    if (p === 2) return '!!map ';
    if (p === 3) return '!!binary ';
    return '';
  }

  mergeKey(): string | null {
    if (this.clean || this.anchors.length === 0 || this.pick(10) !== 0) return null;
    return `<<: *${this.anchors[this.pick(this.anchors.length)]!}`;
  }

  flow(v: unknown): string {
    const a = this.alias();
    if (a) return a;
    if (Array.isArray(v)) return `${this.anchor()}[${v.map((x) => this.flow(x)).join(', ')}]`;
    if (isObject(v)) {
      const anchor = this.anchor();
      const entries = Object.entries(v).map(([k, x]) => `${this.key(k)}: ${this.flow(x)}`);
      const merge = this.mergeKey();
      if (merge) entries.splice(this.pick(entries.length + 1), 0, merge);
      return `${anchor}{${entries.join(', ')}}`;
    }
    const s = this.scalar(v, '');
    return `${this.tag()}${s.includes('\n') ? JSON.stringify(s) : s}`;
  }

  /** A value after `key:` or `- ` at `indent`: inline, or a nested block on the next lines. */
  value(v: unknown, indent: string): string {
    const a = this.alias();
    if (a) return ` ${a}`;
    if ((Array.isArray(v) || isObject(v)) && (this.pick(4) === 0 || Object.keys(v).length === 0)) return ` ${this.flow(v)}`;
    if (Array.isArray(v) || isObject(v)) {
      const anchor = this.anchor();
      return `${anchor ? ` ${anchor.trimEnd()}` : ''}\n${this.block(v, `${indent}  `)}`;
    }
    return ` ${this.tag()}${this.scalar(v, indent)}`;
  }

  block(v: unknown, indent: string): string {
    if (Array.isArray(v)) return v.map((x) => `${indent}-${this.value(x, indent)}`).join('\n');
    if (isObject(v)) {
      const lines = Object.entries(v).map(([k, x]) => `${indent}${this.key(k)}:${this.value(x, indent)}`);
      const merge = this.mergeKey();
      if (merge) lines.splice(this.pick(lines.length + 1), 0, `${indent}${merge}`);
      return lines.join('\n');
    }
    return `${indent}${this.scalar(v, indent)}`;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RawScalar);

/** YAML text for a tree, styled by `pick`. */
export function renderYaml(tree: unknown, pick: Pick, opts: { clean?: boolean } = {}): string {
  const r = new Renderer(pick, opts.clean ?? false);
  if (pick(6) === 0) return r.flow(tree);
  return r.block(tree, '');
}

const JUNK = ['\u0000', '\u0007', '\ufffe', '\ud800', '\t', '\r', '%', '@', '`', '\u001b[31m', '\uFEFF', '{', ']', ': ', '- ', '&', '*', '!'];

/** Damages a YAML text in one of several ways, or leaves it as it is. */
export function damage(text: string, pick: Pick): string {
  switch (pick(30)) {
    case 0:
      return `\uFEFF${text}`;
    case 1:
      return text.replace(/^( +)/gm, (s) => (pick(2) === 0 ? s.replace('  ', '\t') : s));
    case 2:
      return text.replace(/\n/g, '\r\n');
    case 3: {
      const at = pick(text.length + 1);
      return text.slice(0, at) + JUNK[pick(JUNK.length)]! + text.slice(at);
    }
    case 4:
      return `${text}\n---\n${text}`;
    case 5:
      return `%YAML 1.1\n---\n${text}\n...\n`;
    case 6:
      return text.slice(0, pick(text.length + 1));
    case 7:
      return `# comment\n${text}\n# trailing comment`;
    default:
      return text;
  }
}
