/** What one bench run does; `--quick` shrinks every part so the whole runs in about a minute. */
export interface BenchOptions {
  readonly quick: boolean;
  /** side by side: exporters (otel-sentinel) and their interval; blackbox gets exporters/interval probes/s */
  readonly exporters: number;
  readonly intervalS: number;
  /** seconds measured per tool per round, after the warm-up */
  readonly windowS: number;
  readonly warmupS: number;
  /**
   * side by side: seconds after the start when the steady window begins (a second window, in the
   * same process as the first, once otel-sentinel's code is compiled; the first shows a fresh process)
   */
  readonly steadyS: number;
  /** A B rounds per probe kind */
  readonly rounds: number;
  /** scale: exporters at a 15 s interval for scaleS seconds */
  readonly scaleExporters: number;
  readonly scaleS: number;
  /** scale: runs, each in a fresh process; the report gives the median CPU */
  readonly scaleRounds: number;
  /** detection: flips per failure kind */
  readonly flips: number;
  /** endpoint latency: requests per endpoint and exporter count */
  readonly requests: number;
  /** start-to-ready runs, and seconds idle before RSS is read */
  readonly readyRuns: number;
  /** startup: runs of each (otel-sentinel and a bare node), alternating */
  readonly startupRuns: number;
  readonly idleS: number;
  /** lead time on the real collector: runs (each a fresh collector, every scenario at once) */
  readonly leadRuns: number;
  /** only these parts (default: all but leadtime, queue and verdict, which run only when named): compare, scale, detect, endpoints, startup, leadtime, queue, verdict */
  readonly parts: ReadonlySet<string>;
  /** write the results as JSON here too */
  readonly out: string | null;
}

export const PARTS = ['compare', 'scale', 'detect', 'endpoints', 'startup', 'leadtime', 'queue', 'verdict'] as const;
/** parts on the real collector: long, they run only when named with --only */
const NAMED_ONLY: readonly string[] = ['leadtime', 'queue', 'verdict'];

const USAGE = `usage: node dist/bench/run.js [--quick] [--exporters N] [--interval S] [--window S] [--steady S] [--rounds N]
                                [--scale-exporters N] [--scale-seconds S] [--scale-rounds N] [--flips N] [--startup-runs N]
                                [--lead-runs N] [--only compare,scale,detect,endpoints,startup,leadtime,queue,verdict] [--out FILE]`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const o = {
    quick,
    exporters: quick ? 20 : 200,
    // quick: a 1 s interval, so that a 2.5 s window still holds enough probes to read CPU ticks
    intervalS: quick ? 1 : 10,
    windowS: quick ? 2.5 : 30,
    warmupS: quick ? 0.3 : 2,
    steadyS: quick ? 2.8 : 60,
    rounds: quick ? 1 : 2,
    scaleExporters: quick ? 100 : 1000,
    scaleS: quick ? 10 : 120,
    scaleRounds: quick ? 1 : 3,
    flips: quick ? 2 : 20,
    requests: 200,
    readyRuns: quick ? 1 : 5,
    startupRuns: quick ? 2 : 15,
    idleS: quick ? 1 : 10,
    leadRuns: quick ? 1 : 4,
    parts: new Set<string>(PARTS.filter((p) => !NAMED_ONLY.includes(p))),
    out: null as string | null,
  };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} expects a positive number, got ${v ?? 'nothing'}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    switch (a) {
      case '--quick':
        break;
      case '--exporters': o.exporters = Math.round(num(a, v)); i++; break;
      case '--interval': o.intervalS = num(a, v); i++; break;
      case '--window': o.windowS = num(a, v); i++; break;
      case '--steady': o.steadyS = num(a, v); i++; break;
      case '--rounds': o.rounds = Math.round(num(a, v)); i++; break;
      case '--scale-exporters': o.scaleExporters = Math.round(num(a, v)); i++; break;
      case '--scale-seconds': o.scaleS = num(a, v); i++; break;
      case '--scale-rounds': o.scaleRounds = Math.round(num(a, v)); i++; break;
      case '--flips': o.flips = Math.round(num(a, v)); i++; break;
      case '--lead-runs': o.leadRuns = Math.round(num(a, v)); i++; break;
      case '--startup-runs': o.startupRuns = Math.round(num(a, v)); i++; break;
      case '--only': {
        const parts = (v ?? '').split(',').filter(Boolean);
        const bad = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
        if (parts.length === 0 || bad.length > 0) throw new Error(`--only expects some of ${PARTS.join(',')}, got ${v ?? 'nothing'}\n${USAGE}`);
        o.parts = new Set(parts);
        i++;
        break;
      }
      case '--out':
        if (!v) throw new Error(`--out expects a file name\n${USAGE}`);
        o.out = v;
        i++;
        break;
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  return o;
}
