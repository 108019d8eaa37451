import type { Problem } from './problem.js';

/**
 * The one verdict every view shows for an exporter or the collector, decided here and nowhere
 * else: the status page, the `check` report, the metrics, the JSON and the logs only render it.
 * Listed worst first.
 *
 * - `down`: telemetry is being lost now: a critical problem is active, or the last probe failed
 *   with nothing to say why (for the collector: the process is not found)
 * - `warn`: warnings only: it works but telemetry will be lost soon if nothing changes, or the
 *   probe could not tell (it gave up at its own deadline, or cannot make the credentials)
 * - `pending`: not probed (or inspected) yet, and nothing known against it
 * - `up`: works end to end, no problem of any severity
 */
export const STATES = ['down', 'warn', 'pending', 'up'] as const;
export type State = (typeof STATES)[number];

const RANK: Readonly<Record<State, number>> = { down: 0, warn: 1, pending: 2, up: 3 };

const byProblems = (problems: readonly Problem[]): State | null => {
  if (problems.some((p) => p.severity === 'critical')) return 'down';
  if (problems.length > 0) return 'warn';
  return null;
};

/** An exporter's state: `probed` is false until its first probe finished, `up` is that probe's result. */
export function exporterState(probed: boolean, up: boolean, problems: readonly Problem[]): State {
  // a failed probe whose only problems are warnings (the probe gave up at its own deadline, or
  // cannot make the authenticator's credentials) says nothing certain of the exports: warn
  const byP = byProblems(problems);
  if (byP) return byP;
  if (probed && !up) return 'down';
  return probed ? 'up' : 'pending';
}

/** The collector's state: `inspected` is false until its first inspection finished. */
export function collectorState(inspected: boolean, found: boolean, problems: readonly Problem[]): State {
  if (!inspected) return byProblems(problems) ?? 'pending';
  if (!found) return 'down';
  return byProblems(problems) ?? 'up';
}

/** The worse of two states (`down` before `warn` before `pending` before `up`). */
export const worse = (a: State, b: State): State => (RANK[b] < RANK[a] ? b : a);

/** Orders states worst first, for sorting. */
export const stateRank = (s: State): number => RANK[s];
