/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file, and
 * the share of the whole, so a hot spot can be named as file:function.
 *
 *   node dist/bench/cpu-profile-summary.js PROFILE.cpuprofile [--top 30] [--inclusive src/] [--callers getPeerCertificate]
 */
import { readFileSync } from 'node:fs';

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
  /** time in this function and everything it called */
  readonly totalMs?: number;
}

const shortUrl = (url: string): string => {
  if (url === '') return '(native)';
  const m = /\/(dist\/(?:src|bench)\/.*|node_modules\/.*)$/.exec(url);
  if (m) return m[1]!.replace(/^dist\//, '').replace(/^node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, 'node_modules/');
  return url.replace(/^file:\/\//, '');
};

/** Self and inclusive time per function (file:function:line) and self time per file. */
export function summarise(profile: Profile, callersOf?: string): { functions: HotSpot[]; files: HotSpot[]; totalMs: number; callers: HotSpot[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const key = (f: Frame): string => `${shortUrl(f.url)}:${f.functionName || '(anonymous)'}:${f.lineNumber + 1}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  const callers = new Map<string, number>();
  let all = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    all += us;
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + us);
    if (callersOf !== undefined && k.includes(callersOf)) {
      // the first frames above it that are not Node internals: who asked for this work
      const path: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && path.length < 4; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        if (f.url.startsWith('node:') || f.url === '') continue;
        path.push(key(f));
      }
      const ck = path.join(' < ') || '(only Node internals)';
      callers.set(ck, (callers.get(ck) ?? 0) + us);
    }
    const file = shortUrl(node.callFrame.url) || node.callFrame.functionName;
    files.set(file === '(native)' ? `(${node.callFrame.functionName})` : file, (files.get(file) ?? 0) + us);
    // inclusive: once per distinct function on the stack
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const kk = key(byId.get(cur)!.callFrame);
      if (seen.has(kk)) continue;
      seen.add(kk);
      total.set(kk, (total.get(kk) ?? 0) + us);
    }
  }
  const spots = (m: Map<string, number>, withTotal: boolean): HotSpot[] =>
    [...m.entries()]
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / all, ...(withTotal ? { totalMs: (total.get(name) ?? 0) / 1000 } : {}) }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return { functions: spots(self, true), files: spots(files, false), totalMs: all / 1000, callers: spots(callers, false) };
}

function main(argv: readonly string[]): number {
  const file = argv[0];
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpu-profile-summary.js PROFILE.cpuprofile [--top N] [--inclusive FILTER] [--callers FUNCTION]\n');
    return 2;
  }
  const top = Number(argv[argv.indexOf('--top') + 1]) || 30;
  const incl = argv.includes('--inclusive') ? argv[argv.indexOf('--inclusive') + 1] ?? '' : null;
  const callersOf = argv.includes('--callers') ? argv[argv.indexOf('--callers') + 1] : undefined;
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, callersOf);
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)} %`;
  process.stdout.write(`sampled ${s.totalMs.toFixed(0)} ms\n\nself time by file:\n`);
  for (const f of s.files.slice(0, top)) process.stdout.write(`${pct(f.share)} ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}\n`);
  process.stdout.write('\nself time by function:\n');
  for (const f of s.functions.slice(0, top)) process.stdout.write(`${pct(f.share)} ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}\n`);
  if (callersOf !== undefined) {
    process.stdout.write(`\nwho calls "${callersOf}" (nearest frames outside Node):\n`);
    for (const f of s.callers.slice(0, top)) process.stdout.write(`${pct(f.share)} ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}\n`);
  }
  if (incl !== null) {
    process.stdout.write(`\ninclusive time (functions matching "${incl}"):\n`);
    const list = s.functions.filter((f) => f.name.includes(incl)).sort((a, b) => (b.totalMs ?? 0) - (a.totalMs ?? 0));
    for (const f of list.slice(0, top)) process.stdout.write(`${pct((f.totalMs ?? 0) / s.totalMs)} ${(f.totalMs ?? 0).toFixed(0).padStart(7)} ms  ${f.name}\n`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) process.exitCode = main(process.argv.slice(2));
