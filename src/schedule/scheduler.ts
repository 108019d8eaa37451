/**
 * Runs one loop per task key: every `intervalMs`, with a hard deadline per run, never two runs of the
 * same key at once, and a bounded number of runs in flight overall so that a slow target only ever
 * holds its own slot. Lifecycle: create, `set()` the tasks (again on every reload: unchanged keys
 * keep their timing), `stop()` once; a stopped scheduler runs nothing more.
 */

export interface Task {
  /** runs one probe; must settle soon after `signal` aborts */
  run(signal: AbortSignal): Promise<void>;
}

export interface SchedulerOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** runs in flight at most, all keys together */
  readonly concurrency?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /** how late a run started against its schedule (ms), for the lag metric */
  readonly onStart?: (key: string, lagMs: number) => void;
}

export interface Scheduler {
  set(tasks: ReadonlyMap<string, Task>): void;
  /** epoch ms of the last run that finished or started, for /livez */
  lastActivity(): number;
  stop(): Promise<void>;
}

interface Loop {
  task: Task;
  /** epoch ms the next run is due */
  due: number;
  running: Promise<void> | null;
  abort: AbortController | null;
  removed: boolean;
  /** before the first run: the key's place in the interval (epoch ms) where its loop settles */
  settleAt: number | null;
}

/** The bound on runs in flight: a run waits for a free slot, first come first served. */
class Slots {
  private readonly limit: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(concurrency: number | undefined) {
    this.limit = Math.max(1, concurrency ?? DEFAULT_CONCURRENCY);
  }

  acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** lets every waiting run go (at stop: each sees it is stopped and returns) */
  releaseAll(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

/** Runs in flight at most when the options name no bound. */
export const DEFAULT_CONCURRENCY = 64;

/** One run of a task with its hard deadline: `abort` fires when it is over; a throw is swallowed. */
async function runWithDeadline(task: Task, abort: AbortController, timeoutMs: number): Promise<void> {
  const deadline = setTimeout(() => abort.abort(new Error('probe deadline')), timeoutMs);
  try {
    await task.run(abort.signal);
  } catch {
    // a task reports its own failures; a throw here must not stop the loop
  } finally {
    clearTimeout(deadline);
  }
}

export interface RoundOptions {
  readonly timeoutMs: number;
  /** runs in flight at most, all tasks together (the loops' default when absent) */
  readonly concurrency?: number;
  /** aborts every run of the round when it fires */
  readonly signal?: AbortSignal;
}

/**
 * One round of tasks, each run once as the loops run them: the same hard deadline per run and the
 * same bound on runs in flight (`otel-sentinel check`). Batches run one after the other: a batch
 * starts when every run of the previous one has finished.
 */
export async function runRound(batches: readonly (readonly Task[])[], opts: RoundOptions): Promise<void> {
  const slots = new Slots(opts.concurrency);
  const one = async (task: Task): Promise<void> => {
    await slots.acquire();
    const abort = new AbortController();
    const outer = opts.signal;
    const onAbort = (): void => abort.abort(outer?.reason);
    if (outer?.aborted) onAbort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    try {
      await runWithDeadline(task, abort, opts.timeoutMs);
    } finally {
      outer?.removeEventListener('abort', onAbort);
      slots.release();
    }
  };
  for (const batch of batches) await Promise.all(batch.map(one));
}

/** Where in the interval a key runs after its first round: spread by name so load is even. */
export function phaseOf(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  // FNV-1a alone barely moves the high bits for names that differ in their last character
  // (otlp/backend-1, -2, ...): they would all land in the same few percent of the interval and
  // fire in bursts. murmur3's finaliser spreads every input bit over the whole word.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * Runs settle on a grid of this many ms: keys whose phases fall into the same slot start at the
 * same instant. Waking an idle event loop costs far more CPU than the probe's own socket work
 * (on loopback, 0.5 ms per lone connect against 0.18 ms for five together), so starts come in
 * small groups instead of one wake-up per exporter. Detection is not delayed: the grid is the
 * schedule itself.
 */
export const SLOT_MS = 250;

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs;
  const slots = Math.max(1, Math.floor(interval / SLOT_MS));
  /** The first time at or after `t` that is the key's slot of the interval (aligned to the epoch, so reloads share slots). */
  const settleTime = (key: string, t: number): number => {
    const offset = (Math.floor(phaseOf(key) * slots) * interval) / slots;
    // whole ms, so that keys of one slot share exactly the same due instant from here on
    return Math.round(t + ((((offset - t) % interval) + interval) % interval));
  };
  const random = opts.random ?? Math.random;
  const pool = new Slots(opts.concurrency);
  const loops = new Map<string, Loop>();
  const wakeups = new Map<number, { timer: NodeJS.Timeout; list: Array<() => void> }>();
  let stopped = false;
  let activity = now();

  const arm = (key: string, loop: Loop): void => {
    if (stopped || loop.removed) return;
    const delay = Math.max(0, loop.due - now());
    // One timer per due instant: keys on the same slot wake the loop once, together.
    let w = wakeups.get(loop.due);
    if (!w) {
      const due = loop.due;
      const list: Array<() => void> = [];
      const timer = setTimeout(() => {
        wakeups.delete(due);
        for (const run of list) run();
      }, delay);
      timer.unref?.();
      w = { timer, list };
      wakeups.set(due, w);
    }
    w.list.push(() => fire(key, loop));
  };

  const fire = (key: string, loop: Loop): void => {
    if (stopped || loop.removed) return;
    const scheduled = loop.due;
    // The next due time follows the schedule, not the end of this run, so timing never drifts.
    loop.due = loop.settleAt ?? scheduled + opts.intervalMs;
    loop.settleAt = null;
    while (loop.due <= now()) loop.due += opts.intervalMs;
    if (loop.running) {
      // still in flight (it can only overrun by its grace): skip this turn rather than overlap
      arm(key, loop);
      return;
    }
    loop.running = (async () => {
      await pool.acquire();
      try {
        if (stopped || loop.removed) return;
        const started = now();
        activity = started;
        opts.onStart?.(key, Math.max(0, started - scheduled));
        const abort = new AbortController();
        loop.abort = abort;
        try {
          await runWithDeadline(loop.task, abort, opts.timeoutMs);
        } finally {
          loop.abort = null;
          activity = now();
        }
      } finally {
        pool.release();
      }
    })().finally(() => {
      loop.running = null;
    });
    arm(key, loop);
  };

  return {
    set(tasks) {
      if (stopped) return;
      for (const [key, loop] of loops) {
        if (!tasks.has(key)) {
          loop.removed = true;
          // an armed wake-up still calls fire(), which sees `removed` and does nothing
          loop.abort?.abort(new Error('target removed'));
          loops.delete(key);
        }
      }
      const t = now();
      for (const [key, task] of tasks) {
        const existing = loops.get(key);
        if (existing) {
          existing.task = task;
          continue;
        }
        // First run right away (readiness waits for it), then settle on the key's phase so that
        // many targets spread over the interval instead of firing together.
        const loop: Loop = {
          task,
          due: t + random() * Math.min(50, opts.intervalMs),
          running: null,
          abort: null,
          removed: false,
          settleAt: settleTime(key, t),
        };
        loops.set(key, loop);
        arm(key, loop);
      }
    },
    lastActivity: () => activity,
    async stop() {
      stopped = true;
      const pending: Promise<void>[] = [];
      for (const loop of loops.values()) {
        loop.abort?.abort(new Error('shutting down'));
        if (loop.running) pending.push(loop.running);
      }
      for (const w of wakeups.values()) clearTimeout(w.timer);
      wakeups.clear();
      pool.releaseAll();
      await Promise.allSettled(pending);
      loops.clear();
    },
  };
}
