import t from 'tap';
import { createScheduler, runRound, type Task } from '../../src/schedule/scheduler.js';

const until = async (cond: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

t.test('runs every key repeatedly, never two runs of one key at once', async (t) => {
  const s = createScheduler({ intervalMs: 20, timeoutMs: 15 });
  const runs = new Map<string, number>();
  let concurrentSameKey = 0;
  const active = new Set<string>();
  const task = (key: string): Task => ({
    async run() {
      if (active.has(key)) concurrentSameKey++;
      active.add(key);
      runs.set(key, (runs.get(key) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 30)); // longer than the interval
      active.delete(key);
    },
  });
  s.set(new Map([['a', task('a')], ['b', task('b')]]));
  await until(() => (runs.get('a') ?? 0) >= 3 && (runs.get('b') ?? 0) >= 3, 'three runs each');
  await s.stop();
  t.equal(concurrentSameKey, 0, 'no overlap within a key');
});

t.test('a run is aborted at its deadline and a hung key never delays another', async (t) => {
  const s = createScheduler({ intervalMs: 50, timeoutMs: 30, concurrency: 2 });
  let aborted = 0;
  let fast = 0;
  const hung: Task = {
    run: (signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted++;
          resolve();
        });
      }),
  };
  s.set(new Map([['hung', hung], ['fast', { run: async () => void fast++ }]]));
  await until(() => aborted >= 2 && fast >= 4, 'aborts and fast runs');
  await s.stop();
  t.ok(aborted >= 2, 'the hung run was aborted by its deadline, every time');
  t.ok(fast >= 4, 'the fast key kept its pace');
});

t.test('concurrency is bounded across keys', async (t) => {
  const s = createScheduler({ intervalMs: 1000, timeoutMs: 500, concurrency: 3 });
  let inFlight = 0;
  let peak = 0;
  let done = 0;
  const tasks = new Map<string, Task>();
  for (let i = 0; i < 12; i++) {
    tasks.set(`k${i}`, {
      async run() {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        done++;
      },
    });
  }
  s.set(tasks);
  await until(() => done >= 12, 'all first runs');
  await s.stop();
  t.equal(peak, 3);
});

t.test('set() keeps unchanged keys, drops removed ones (aborting them), adds new ones', async (t) => {
  const s = createScheduler({ intervalMs: 20, timeoutMs: 1000 });
  const runs = new Map<string, number>();
  let removedAborted = false;
  let slowStarted = false;
  const count = (key: string): Task => ({ run: async () => void runs.set(key, (runs.get(key) ?? 0) + 1) });
  const slow: Task = {
    run: (signal) => {
      slowStarted = true;
      return new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          removedAborted = true;
          resolve();
        }),
      );
    },
  };
  s.set(new Map([['keep', count('keep')], ['gone', slow]]));
  // 'gone' must be in flight before it is removed, or there is nothing to abort
  await until(() => (runs.get('keep') ?? 0) >= 2 && slowStarted, 'keep runs and gone in flight');
  s.set(new Map([['keep', count('keep')], ['new', count('new')]]));
  await until(() => removedAborted && (runs.get('new') ?? 0) >= 2, 'removal and new runs');
  const before = runs.get('keep') ?? 0;
  await until(() => (runs.get('keep') ?? 0) > before, 'keep still runs');
  await s.stop();
  t.ok(removedAborted, 'the removed key was aborted');
});

t.test('stop() aborts runs in flight and runs nothing afterwards', async (t) => {
  const s = createScheduler({ intervalMs: 10, timeoutMs: 60_000 });
  let started = 0;
  let abortedByStop = 0;
  s.set(
    new Map([
      [
        'x',
        {
          run: (signal) => {
            started++;
            return new Promise<void>((resolve) =>
              signal.addEventListener('abort', () => {
                abortedByStop++;
                resolve();
              }),
            );
          },
        },
      ],
    ]),
  );
  await until(() => started === 1, 'first run');
  await s.stop();
  t.equal(abortedByStop, 1);
  const after = started;
  await new Promise((r) => setTimeout(r, 50));
  t.equal(started, after, 'nothing ran after stop');
});

t.test('reports how late each run started against its schedule', async (t) => {
  const lags: number[] = [];
  const s = createScheduler({ intervalMs: 20, timeoutMs: 10, onStart: (_k, lag) => lags.push(lag) });
  s.set(new Map([['a', { run: async () => undefined }]]));
  await until(() => lags.length >= 3, 'three starts');
  await s.stop();
  t.ok(lags.every((l) => l >= 0 && Number.isFinite(l)));
  t.ok(s.lastActivity() > 0);
});

t.test('runRound: every task once, batches in order, runs in flight bounded, a hung run ended at its deadline', async (t) => {
  const order: string[] = [];
  let inFlight = 0;
  let most = 0;
  const task = (name: string, ms: number): Task => ({
    async run() {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      order.push(name);
    },
  });
  let hungReason: unknown = null;
  const hung: Task = {
    run: (signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          hungReason = signal.reason;
          resolve();
        });
      }),
  };
  const throws: Task = { run: async () => Promise.reject(new Error('boom')) };
  const first = [task('a', 5), task('b', 5), task('c', 5), task('d', 5), hung, throws];
  await runRound([first, [task('last', 1)]], { timeoutMs: 50, concurrency: 2 });
  t.same(order.slice(0, 4).sort(), ['a', 'b', 'c', 'd'], 'the first batch ran every task');
  t.equal(order[4], 'last', 'the second batch ran after the whole first one');
  t.equal(most, 2, 'never more runs in flight than the bound');
  t.match(String(hungReason), /probe deadline/, 'the hung run was aborted at its deadline');
});

t.test('runRound: the round\'s own signal aborts its runs', async (t) => {
  const outer = new AbortController();
  const seen: unknown[] = [];
  const waits: Task = {
    run: (signal) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          seen.push(signal.reason);
          resolve();
        };
        if (signal.aborted) done();
        else signal.addEventListener('abort', done);
      }),
  };
  const round = runRound([[waits, waits]], { timeoutMs: 60_000, signal: outer.signal });
  outer.abort(new Error('stop the round'));
  await round;
  t.equal(seen.length, 2);
  t.match(String(seen[0]), /stop the round/);
  await runRound([[waits]], { timeoutMs: 60_000, signal: outer.signal });
  t.equal(seen.length, 3, 'a signal already aborted aborts at once');
});
